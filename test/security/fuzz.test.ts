import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { createApp, type App } from "../../src/app.js";
import type { RouteContract as RouteSpec } from "../../src/http/contract.js";
import { ROUTES } from "../../src/http/route-table.js";
import { signStandardWebhook } from "../../src/stability/signatures.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, CRON_SECRET, testDeps, testEnv } from "../helpers/deps.js";
import { call } from "../helpers/runs.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";
import { SQL_INJECTIONS } from "./hostile-strings.js";

// Guarantees under random input: never a 5xx; every refusal is a 4xx in the one error shape;
// nothing is stored without a valid signature; every acknowledged webhook is stored.
// Seeds are fixed per run by fast-check's default (printed on failure, so a failure replays).

let t: TestDb;
let app: App;
const BODY_LIMIT = 64 * 1024;

beforeAll(async () => {
  t = await createTestDb();
  // The real clock: signatures are checked against it.
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET, WEBHOOK_MAX_BYTES: String(BODY_LIMIT) }) });
  deps.testClock.set(Date.now());
  app = createApp({ ...deps, clock: Date.now });
  await call(app, "POST", "/api/runs", { sessionId: "seeded-run", taskDescription: "seeded", totalTasks: 2 });
});
afterAll(() => t.cleanup());

async function expectErrorShape(res: Response, context: string) {
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  const body = await res.json();
  expect(typeof body.error?.code, context).toBe("string");
  expect(typeof body.error?.message, context).toBe("string");
  expect(body.error.message.length, context).toBeGreaterThan(0);
  expect(typeof body.error?.requestId, context).toBe("string");
}

const count = async (sql: string) => Number((await t.db.execute(sql)).rows[0]!.n);

const printable = fc.string({ unit: "grapheme-ascii", maxLength: 80 });
const headerValue = fc.oneof(
  printable,
  fc.constantFrom("", " ", "v1,", "v1,AAAA", "sha256=", "sha256=zz", "0", "-1", "99999999999999999999", "NaN"),
  fc.base64String({ maxLength: 64 }).map((s) => `v1,${s}`),
);
const contentType = fc.constantFrom(
  undefined,
  "application/json",
  "text/plain",
  "application/json; charset=utf-16",
  "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded",
  "*/*",
);
const body = fc.oneof(
  fc.string({ unit: "binary", maxLength: 2000 }),
  fc.uint8Array({ maxLength: 2000 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        type: fc.oneof(fc.constantFrom("message.received", "message.processed", "response.sent", "error"), printable),
        occurred_at: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          printable,
          fc.integer(),
        ),
        latency_ms: fc.oneof(fc.integer(), fc.double(), printable, fc.constant(null)),
        conversation_id: fc.oneof(printable, fc.integer(), fc.constantFrom(...SQL_INJECTIONS)),
        error: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.integer({ min: BODY_LIMIT - 16, max: BODY_LIMIT * 2 }).map((n) => "x".repeat(n)),
);
const source = fc.oneof(
  fc.constant("bot"),
  printable.filter((s) => s.length > 0),
  fc.constantFrom(...SQL_INJECTIONS),
);

/** Builds a Request, or undefined when the platform itself would refuse to send these headers. */
function request(path: string, init: { method: string; headers: Record<string, string | undefined>; body?: string | Uint8Array }) {
  try {
    const headers = new Headers();
    for (const [k, v] of Object.entries(init.headers)) if (v !== undefined) headers.set(k, v);
    return new Request(`http://vigil.test${path}`, { method: init.method, headers, body: init.body as BodyInit | undefined });
  } catch {
    return undefined;
  }
}

describe("POST /api/webhooks/:source under random input", () => {
  it("unsigned or wrongly signed: always a clear 4xx, nothing stored", async () => {
    const before = await count("SELECT COUNT(*) AS n FROM webhook_events");
    const headerNames = fc.constantFrom(
      "webhook-id",
      "webhook-timestamp",
      "webhook-signature",
      "svix-id",
      "svix-timestamp",
      "svix-signature",
      "x-signature-256",
      "content-encoding",
      "content-length",
      "x-forwarded-for",
    );
    await fc.assert(
      fc.asyncProperty(
        source,
        body,
        contentType,
        fc.dictionary(headerNames, headerValue, { maxKeys: 8 }),
        async (src, payload, type, headers) => {
          const req = request(`/api/webhooks/${encodeURIComponent(src)}`, {
            method: "POST",
            headers: { ...headers, "content-type": type },
            body: payload,
          });
          fc.pre(req !== undefined);
          const res = await app.fetch(req!);
          await expectErrorShape(res, `${res.status} for ${src}`);
        },
      ),
      { numRuns: 400 },
    );
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events")).toBe(before);
  });

  it("validly signed random bodies: 200 and stored, or a clear 4xx; every 200 is in the database", async () => {
    const acknowledged: string[] = [];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(body, contentType, fc.boolean(), async (payload, type, svix) => {
        const raw = typeof payload === "string" ? payload : Buffer.from(payload).toString("latin1");
        const bytes = typeof payload === "string" ? payload : Buffer.from(raw, "latin1");
        const id = `msg_fuzz_${++n}`;
        const ts = Math.floor(Date.now() / 1000);
        const p = svix ? "svix" : "webhook";
        const req = request("/api/webhooks/bot", {
          method: "POST",
          headers: {
            "content-type": type,
            [`${p}-id`]: id,
            [`${p}-timestamp`]: String(ts),
            [`${p}-signature`]: signStandardWebhook(WEBHOOK_SECRET, id, ts, Buffer.from(bytes)),
          },
          body: bytes,
        });
        fc.pre(req !== undefined);
        const res = await app.fetch(req!);
        if (res.status === 200) acknowledged.push(id);
        else await expectErrorShape(res, `${res.status} for a signed body`);
      }),
      { numRuns: 300 },
    );
    expect(acknowledged.length).toBeGreaterThan(50);
    const stored = await t.db.execute({
      sql: `SELECT COUNT(*) AS n FROM webhook_events WHERE source = 'bot' AND dedupe_key IN (SELECT value FROM json_each(?))`,
      args: [JSON.stringify(acknowledged)],
    });
    expect(Number(stored.rows[0]!.n)).toBe(acknowledged.length);
  });
});

// A query value: anything a client or an attacker might send.
const queryValue = fc.oneof(
  printable,
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(...SQL_INJECTIONS),
  fc.integer().map(String),
  fc.constantFrom(
    "",
    "0",
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "0x10",
    "1.5",
    "9007199254740993",
    "true",
    "null",
    "[]",
    "{}",
    "2026-13-45T99:99:99Z",
    "2026-11-23T12:00:00Z",
  ),
);

const shapeKeys = (schema: z.ZodType | undefined) => Object.keys((schema as unknown as { shape?: Record<string, unknown> })?.shape ?? {});
const credential = (r: RouteSpec) =>
  r.auth === "basic"
    ? `Basic ${Buffer.from(`u:${API_KEY}`).toString("base64")}`
    : r.auth === "cron"
      ? `Bearer ${CRON_SECRET}`
      : `Bearer ${API_KEY}`;
// The cron route runs real jobs; it has no parameters but the job name, fuzzed below.
const fuzzed = ROUTES.filter((r) => r.auth === "apiKey" || r.auth === "basic" || r.auth === "cron");

describe("every route's parameters under random input", () => {
  it.each(fuzzed.map((r) => [`${r.method} ${r.path}`, r] as const))("%s: never a 5xx, refusals in the error shape", async (_name, r) => {
    const keys = shapeKeys(r.request?.query);
    const params = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(keys.length ? keys : ["x"])), printable), queryValue), { maxLength: 6 });
    const pathParam = fc.oneof(
      printable.filter((s) => s.length > 0),
      fc.constantFrom(...SQL_INJECTIONS),
      fc.integer().map(String),
    );
    const jsonBody = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.dictionary(
        fc.constantFrom(...(shapeKeys(r.request?.body).length ? shapeKeys(r.request?.body) : ["x"])),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...SQL_INJECTIONS)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(params, pathParam, jsonBody, async (query, param, payload) => {
        const path = r.path.replace(/:\w+/g, () => encodeURIComponent(param));
        const qs = new URLSearchParams(query).toString();
        const req = request(`${path}${qs ? `?${qs}` : ""}`, {
          method: r.method,
          headers: { authorization: credential(r), "content-type": "application/json" },
          body: r.method === "POST" ? JSON.stringify(payload) : undefined,
        });
        fc.pre(req !== undefined);
        const res = await app.fetch(req!);
        expect(res.status, `${req!.method} ${req!.url} → ${res.status}`).toBeLessThan(500);
        if (res.status >= 400 && res.headers.get("content-type")?.includes("json"))
          await expectErrorShape(res, `${req!.method} ${req!.url}`);
        else await res.arrayBuffer();
      }),
      { numRuns: r.auth === "cron" ? 15 : 60 },
    );
    // Hostile strings stayed data: the schema and the seeded run are intact.
    expect(await count("SELECT COUNT(*) AS n FROM orchestrations WHERE session_id = 'seeded-run'")).toBe(1);
  });
});
