import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.js";
import { depsFromEnv } from "../../src/deps.js";
import { createUpstashRateLimiter } from "../../src/integrations/rate-limiter.js";
import { startUpstash, type UpstashRestServer } from "../../fakes/upstash-rest-server.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { captureLogs, testEnv } from "../helpers/deps.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";
import { hasProgram, optionalSuite } from "../helpers/optional-program.js";
import { freezeDateMidMinute } from "../helpers/rate-window.js";

const redisSuite = optionalSuite("redis-server", hasProgram("redis-server"), "apt-get install redis-server");

let upstash: UpstashRestServer;
let t: TestDb;
beforeAll(async () => {
  if (!redisSuite.run) return;
  upstash = await startUpstash();
  t = await createTestDb();
});
afterAll(async () => {
  await upstash?.close();
  t?.cleanup();
});

// Each test expects exact counts from a burst: it must not run from one window into the next.
beforeEach(freezeDateMidMinute);
afterEach(() => void vi.useRealTimers());

let prefix = 0;
const limiter = (perMinute: number, logs = captureLogs(), url = upstash.url, token = upstash.token) =>
  createUpstashRateLimiter({ url, token, perMinute, prefix: `test${++prefix}`, log: logs.logger });

describe.runIf(redisSuite.run)(redisSuite.title("the Upstash rate limiter (real @upstash/ratelimit, real redis)"), () => {
  it("allows the limit per key, then refuses with a retry time", async () => {
    const l = limiter(5);
    const decisions = [];
    for (let i = 0; i < 7; i++) decisions.push(await l.limit("bot"));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(decisions[5]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(decisions[5]!.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Each source has its own budget.
    expect((await l.limit("other-bot")).allowed).toBe(true);
    // The scripts ran in redis (the shebang line stripped) and were reused by hash.
    expect(upstash.calls).toContain("EVALSHA");
  });

  it("is shared: two limiter instances (two function instances) draw on one budget", async () => {
    const name = ++prefix;
    const make = () =>
      createUpstashRateLimiter({
        url: upstash.url,
        token: upstash.token,
        perMinute: 4,
        prefix: `shared${name}`,
        log: captureLogs().logger,
      });
    const [a, b] = [make(), make()];
    const results = [await a.limit("s"), await b.limit("s"), await a.limit("s"), await b.limit("s"), await a.limit("s")];
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, false]);
  });

  it("fails open, with a log line, when Upstash refuses the token or is down", async () => {
    const logs = captureLogs();
    expect((await limiter(1, logs, upstash.url, "wrong-token").limit("bot")).allowed).toBe(true);
    expect((await limiter(1, logs, "http://127.0.0.1:9", "x").limit("bot")).allowed).toBe(true);
    expect(logs.records().filter((r) => r.msg === "rate limiter unavailable: allowing")).toHaveLength(2);
    expect(logs.text()).not.toContain(upstash.token);
  });
});

describe.runIf(redisSuite.run)(redisSuite.title("POST /api/webhooks/:source with Upstash configured"), () => {
  it("answers 429 with Retry-After past the per-source limit, and stores nothing for it", async () => {
    const env = testEnv({
      WEBHOOK_SECRET,
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      WEBHOOK_RATE_LIMIT_PER_MINUTE: "3",
    });
    // Built as production builds it: the limiter comes from the Upstash variables.
    const deps = depsFromEnv(env, { db: t.db, log: captureLogs().logger });
    expect(deps.webhookRateLimiter).toBeDefined();
    const app = createApp(deps);
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await app.request("/api/webhooks/limited", signedRequest(botEvent("message.received")))).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await app.request("/api/webhooks/limited", signedRequest(botEvent("message.received")));
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await refused.json()).error.code).toBe("rate_limited");
    const stored = await t.db.execute("SELECT COUNT(*) AS n FROM webhook_events WHERE source = 'limited'");
    expect(Number(stored.rows[0]!.n)).toBe(3);
    expect((await app.request("/api/webhooks/another", signedRequest(botEvent("message.received")))).status).toBe(200);
  });
});
