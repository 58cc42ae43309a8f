import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, captureLogs, testClock, testDeps, testEnv } from "../helpers/deps.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

// One middleware holds the request id, the security headers and the access line, and
// gave the webhook route a response built with its headers as one record. Guaranteed: every
// answer — fast path, error, page — carries the same security headers and its request id, and
// each request writes exactly one "request" line.

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());
const env = testEnv({ WEBHOOK_SECRET });

const SECURITY = {
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=15552000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
};

describe("every answer carries the security headers and its request id", () => {
  const cases: [string, string, () => RequestInit, number][] = [
    ["accepted webhook (hot path)", "/api/webhooks/bot", () => signedRequest(botEvent("message.received")), 200],
    [
      "refused webhook",
      "/api/webhooks/bot",
      () => signedRequest(botEvent("message.received"), { secret: "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC0xMjM0NTY=" }),
      401,
    ],
    ["API read", "/api/jobs", () => ({ headers: apiAuth }), 200],
    ["missing key", "/api/jobs", () => ({}), 401],
    ["unknown path", "/nowhere", () => ({}), 404],
  ];
  it.each(cases)("%s", async (_name, path, init, status) => {
    const logs = captureLogs();
    const app = createApp(testDeps({ db: t.db, logs, env, clock: testClock(Date.now()) }));
    const res = await app.request(path, init());
    expect(res.status).toBe(status);
    for (const [name, value] of Object.entries(SECURITY)) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = logs.records().filter((r) => r.msg === "request");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status, request_id: id, path });
    if (status === 200 && path.startsWith("/api/webhooks/")) expect(lines[0]).toMatchObject({ source: "bot", type: "message.received" });
  });

  it("keeps a route's own stricter value (the status page's framing)", async () => {
    const app = createApp(testDeps({ db: t.db }));
    const res = await app.request("/status", { headers: { authorization: `Basic ${Buffer.from(`u:${API_KEY}`).toString("base64")}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("X-Request-Id from the caller", () => {
  it("is kept when plain, replaced when hostile or too long", async () => {
    const app = createApp(testDeps({ db: t.db }));
    const ask = async (given: string) =>
      (await app.request("/api/health", { headers: { "x-request-id": given } })).headers.get("x-request-id");
    expect(await ask("trace-42_abc=")).toBe("trace-42_abc=");
    expect(await ask("a b")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await ask("<script>")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await ask("x".repeat(256))).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("is kept on the webhook hot path too", async () => {
    const app = createApp(testDeps({ db: t.db, env, clock: testClock(Date.now()) }));
    const req = signedRequest(botEvent("message.received"));
    const res = await app.request("/api/webhooks/bot", { ...req, headers: { ...req.headers, "x-request-id": "sender-7" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("sender-7");
  });
});

describe("webhook paths the shared path guard no longer sees", () => {
  it("refuses control characters in the source name", async () => {
    const app = createApp(testDeps({ db: t.db }));
    for (const source of ["bot%00", "bot%0A", "%1Bbot"]) {
      const res = await app.request(`/api/webhooks/${source}`, signedRequest(botEvent("message.received")));
      expect(res.status, source).toBe(404);
    }
  });
});
