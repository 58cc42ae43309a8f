import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import type { RouteContract as RouteSpec } from "../../src/http/contract.js";
import { ROUTES } from "../../src/http/route-table.js";
import { secretsEqual } from "../../src/security/constant-time.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, CRON_SECRET, testDeps, testEnv } from "../helpers/deps.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

// Guarantee: every route of the route table except /api/health and the signed webhooks
// refuses a missing or wrong secret, whatever form the wrong secret takes. The matrix is
// generated from the same table the OpenAPI test holds to the app, so a new route is covered
// the moment it exists.

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

const basic = (password: string, user = "vigil") => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const concrete = (r: RouteSpec) => r.path.replace(/:job/, "heartbeat").replace(/:\w+/g, "x");

/** Every wrong way to present a credential, for a route that wants `right`. */
function wrongCredentials(r: RouteSpec): [string, Record<string, string>][] {
  const right = r.auth === "cron" ? CRON_SECRET : API_KEY;
  const other = r.auth === "cron" ? API_KEY : CRON_SECRET;
  const cases: [string, Record<string, string>][] = [
    ["no header", {}],
    ["empty bearer", { authorization: "Bearer " }],
    ["wrong bearer", { authorization: "Bearer wrong" }],
    ["the other secret", { authorization: `Bearer ${other}` }],
    ["the right secret plus a character", { authorization: `Bearer ${right}x` }],
    ["a prefix of the right secret", { authorization: `Bearer ${right.slice(0, -1)}` }],
    ["the right secret in a different case", { authorization: `Bearer ${right.toUpperCase()}` }],
    ["the right secret as a query parameter", {}],
    ["the right secret in another header", { authorization: `Bearer wrong`, "x-authorization": `Bearer ${right}` }],
  ];
  if (r.auth === "basic") {
    return [
      ["no header", {}],
      ["a wrong password", { authorization: basic("wrong") }],
      ["the key as a user name", { authorization: `Basic ${Buffer.from(`${API_KEY}:`).toString("base64")}` }],
      ["the key without a colon", { authorization: `Basic ${Buffer.from(API_KEY).toString("base64")}` }],
      ["the key as a bearer", { authorization: `Bearer ${API_KEY}` }],
      ["the cron secret", { authorization: basic(CRON_SECRET) }],
    ];
  }
  return [...cases, ["HTTP Basic with the right secret", { authorization: basic(right) }]];
}

const guarded = ROUTES.filter((r) => r.auth !== "public" && r.auth !== "signature");

describe("the auth matrix, generated from the route table", () => {
  it("covers every route but health, webhooks and the redirect to /status", () => {
    expect(
      ROUTES.filter((r) => !guarded.includes(r))
        .map((r) => r.path)
        .sort(),
    ).toEqual(["/", "/api/health", "/api/webhooks/:source"]);
    expect(guarded.length).toBeGreaterThan(30);
  });

  it.each(guarded.map((r) => [`${r.method} ${r.path}`, r] as const))("%s refuses every wrong credential", async (_name, r) => {
    const app = createApp(testDeps({ db: t.db }));
    for (const [what, headers] of wrongCredentials(r)) {
      const url = what.includes("query") ? `${concrete(r)}?key=${API_KEY}&token=${CRON_SECRET}` : concrete(r);
      const res = await app.request(url, { method: r.method, headers });
      expect(res.status, `${what}`).toBe(401);
      const body = await res.json();
      expect(body.error.code, what).toBe("unauthorized");
      expect(JSON.stringify(body)).not.toContain(API_KEY);
      expect(JSON.stringify(body)).not.toContain(CRON_SECRET);
    }
    // The matrix would pass on an app that refuses everything: the right credential gets in.
    const right = r.auth === "basic" ? basic(API_KEY) : `Bearer ${r.auth === "cron" ? CRON_SECRET : API_KEY}`;
    const res = await app.request(concrete(r), { method: r.method, headers: { authorization: right } });
    expect(res.status).not.toBe(401);
  });

  it.each(guarded.map((r) => [`${r.method} ${r.path}`, r] as const))("%s is closed when its secret is not configured", async (_name, r) => {
    const app = createApp(testDeps({ db: t.db, env: testEnv({ CRON_SECRET: undefined, VIGIL_API_KEY: undefined }) }));
    for (const authorization of [undefined, "Bearer ", "Bearer undefined", "Bearer null", basic(""), basic("undefined")]) {
      const res = await app.request(concrete(r), { method: r.method, headers: authorization ? { authorization } : {} });
      expect(res.status, String(authorization)).toBe(401);
    }
  });
});

describe("signed webhooks", () => {
  it("refuse a missing signature, a wrong secret, and a replay outside the tolerance; a replay inside it is stored once", async () => {
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
    // One reading of the clock: with two, a second boundary between them made 301 s look like 300.
    const nowMs = Date.now();
    deps.testClock.set(nowMs);
    const app = createApp(deps);
    const body = botEvent("message.received");
    expect((await app.request("/api/webhooks/bot", { method: "POST", body: JSON.stringify(body) })).status).toBe(401);
    expect((await app.request("/api/webhooks/bot", signedRequest(body, { secret: "whsec_d3Jvbmc=" }))).status).toBe(401);
    const old = Math.floor(nowMs / 1000) - 301;
    expect((await app.request("/api/webhooks/bot", signedRequest(body, { timestampSeconds: old }))).status).toBe(401);
    const fresh = signedRequest(body, { id: "msg_replay" });
    expect((await app.request("/api/webhooks/bot", fresh)).status).toBe(200);
    const replay = await app.request("/api/webhooks/bot", fresh);
    expect(await replay.json()).toMatchObject({ duplicate: true });
    const stored = await t.db.execute("SELECT COUNT(*) AS n FROM webhook_events WHERE dedupe_key = 'msg_replay'");
    expect(Number(stored.rows[0]!.n)).toBe(1);
  });
});

describe("constant-time comparison", () => {
  it("secretsEqual tells equal from unequal secrets of any length", () => {
    expect(secretsEqual(API_KEY, API_KEY)).toBe(true);
    for (const wrong of ["", "x", API_KEY.slice(0, -1), `${API_KEY}x`, API_KEY.replace(/.$/, "0"), API_KEY.toUpperCase()]) {
      expect(secretsEqual(wrong, API_KEY), wrong).toBe(false);
    }
  });

  it("no source file compares a secret with == or ===: every comparison goes through secretsEqual or timingSafeEqual", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(name)) files.push(p);
      }
    };
    walk("src");
    const secretish = /(secret|api_?key|token|password|signature|authorization)/i;
    const offending: string[] = [];
    for (const file of files) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          for (const m of line.matchAll(/([\w.$[\]"'`]+)\s*[!=]==?\s*([\w.$[\]"'`]+)/g)) {
            const [, left, right] = m;
            // Comparing against undefined / a literal type tag is not comparing a secret's value.
            if (/^(undefined|null|"[\w-]*"|'[\w-]*'|\d+)$/.test(right!) || /^(undefined|null)$/.test(left!)) continue;
            if (/\.length$|typeof/.test(left!) || /\.length$/.test(right!)) continue;
            if (secretish.test(left!) || secretish.test(right!)) offending.push(`${file}:${i + 1}: ${line.trim()}`);
          }
        });
    }
    expect(offending).toEqual([]);
  });
});
