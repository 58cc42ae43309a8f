import { createHmac, randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { evaluateAlerts } from "../../src/alerts/engine.js";
import { DEFAULT_RULES, type Channel } from "../../src/alerts/rules.js";
import { createApp } from "../../src/app.js";
import { depsFromEnv } from "../../src/deps.js";
import { parseEnv } from "../../src/env.js";
import { ConfigError } from "../../src/errors.js";
import { catchUpRollups } from "../../src/stability/rollup-catch-up.js";
import { verifySignature } from "../../src/stability/signatures.js";
import { dbAndUpstash } from "../helpers/db-and-upstash.js";
import { apiAuth, captureLogs, testDeps, testEnv } from "../helpers/deps.js";
import { slidingWindowSlack } from "../helpers/rate-window.js";
import { botEvent, hexSignedRequest, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";
import { settingsFromEnv } from "../../src/settings.js";

// What a sender without the key (or with one captured
// delivery) can do to the webhook route, and what weak configuration start-up refuses.

const world = dbAndUpstash();
beforeEach(async () => {
  await world.t.db.batch(
    [
      "DELETE FROM webhook_events",
      "DELETE FROM webhook_rollups",
      "DELETE FROM webhook_rollups_15m",
      "DELETE FROM ingest_mark",
      "DELETE FROM signature_failures",
      "DELETE FROM notifications",
      "DELETE FROM alert_transitions",
      "DELETE FROM alerts",
    ],
    "write",
  );
});

// Like every reader of rollups, count only after catching them up from the stored events.
const count = async (sql: string) => {
  await catchUpRollups(world.t.db);
  return Number((await world.t.db.execute(sql)).rows[0]!.n);
};
const unsigned = (body: unknown = botEvent("message.received"), headers: Record<string, string> = {}) => ({
  method: "POST",
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers },
});
const realTimeDeps = (env = testEnv({ WEBHOOK_SECRET })) => {
  const deps = testDeps({ db: world.t.db, env });
  deps.testClock.set(Date.now());
  return deps;
};
let prefix = 0;

describe("rate limits cannot be spent by unsigned senders", () => {
  it("a flood of unsigned requests does not 429 the signed sender; refusals are limited per client address", async () => {
    const env = testEnv({
      WEBHOOK_SECRET,
      UPSTASH_REDIS_REST_URL: world.upstash.url,
      UPSTASH_REDIS_REST_TOKEN: world.upstash.token,
      WEBHOOK_RATE_LIMIT_PER_MINUTE: "30",
    });
    const logs = captureLogs();
    const base = depsFromEnv(env, { db: world.t.db, log: logs.logger });
    // A fresh prefix per test: the sliding window lives in the shared redis.
    const app = createApp({ ...base, webhookRateLimiter: withPrefix(base.webhookRateLimiter!, `t${++prefix}`) });
    const attacker = { "x-real-ip": "203.0.113.7" };
    const unsignedStatuses: number[] = [];
    const floodStarted = Date.now();
    for (let i = 0; i < 60; i++)
      unsignedStatuses.push((await app.request("/api/webhooks/whatsapp-bot", unsigned(undefined, attacker))).status);
    // A flood that ran into the next minute may pass a few more (Upstash's sliding window).
    const crossedWindow = slidingWindowSlack(floodStarted, 30);
    // The first 30 refusals are answered 401 and counted; after that the address is limited. A
    // limiter call that times out (a loaded machine) fails open by design: then only bounds hold.
    const timedOut = logs.records().filter((r) => String(r.msg).startsWith("rate limiter")).length;
    const refused = unsignedStatuses.filter((s) => s === 401).length;
    if (timedOut === 0 && crossedWindow === 0) expect(refused).toBe(30);
    else {
      expect(refused).toBeGreaterThanOrEqual(30);
      expect(refused).toBeLessThanOrEqual(30 + timedOut + crossedWindow);
    }
    expect(refused + unsignedStatuses.filter((s) => s === 429).length).toBe(60);
    expect(await count("SELECT SUM(value) AS n FROM webhook_rollups WHERE metric = 'signature_failure'")).toBe(refused);
    const signed: number[] = [];
    for (let i = 0; i < 10; i++)
      signed.push(
        (await app.request("/api/webhooks/whatsapp-bot", signedRequest(botEvent("message.received"), { headerPrefix: "webhook" }))).status,
      );
    expect(signed).toEqual(Array(10).fill(200));
    // Another address is not affected by the first one's refusals.
    expect((await app.request("/api/webhooks/whatsapp-bot", unsigned(undefined, { "x-real-ip": "198.51.100.1" }))).status).toBe(401);
  });
});

describe("one source, one name: every spelling of a declared source is that source", () => {
  const META_SECRET = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
  it("a delivery captured for one spelling is a duplicate under every other spelling of the same key", async () => {
    const deps = realTimeDeps(testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "bot,meta", WEBHOOK_SECRET_META: META_SECRET }));
    const app = createApp(deps);
    const capture = signedRequest(botEvent("message.received"), { secret: META_SECRET, id: "cap_1693" });
    const answers = [];
    for (const spelling of ["meta", "meta", "META", "Meta", "mEtA"]) {
      const res = await app.request(`/api/webhooks/${spelling}`, capture);
      expect(res.status, spelling).toBe(200);
      answers.push(((await res.json()) as { duplicate: boolean }).duplicate);
    }
    expect(answers).toEqual([false, true, true, true, true]);
    expect((await world.t.db.execute("SELECT DISTINCT source FROM webhook_events")).rows.map((r) => r.source)).toEqual(["meta"]);
    // The body-hash scheme too: one body, one stored row, whatever the spelling.
    const hex = hexSignedRequest(botEvent("message.received"), META_SECRET);
    for (const spelling of ["meta", "META", "Meta"]) expect((await app.request(`/api/webhooks/${spelling}`, hex)).status).toBe(200);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events")).toBe(2);
  });

  it("unsigned requests to seven spellings of a declared source are one source's failures and one alert", async () => {
    const deps = realTimeDeps(testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "bot" }));
    const app = createApp(deps);
    for (const s of ["Bot", "bOt", "boT", "BOt", "BoT", "bOT", "BOT"])
      expect((await app.request(`/api/webhooks/${s}`, unsigned())).status).toBe(401);
    expect((await world.t.db.execute("SELECT DISTINCT source FROM webhook_rollups")).rows.map((r) => r.source)).toEqual(["bot"]);
    await evaluateAlerts(deps, deps.clock(), DEFAULT_RULES, ["console"] as Channel[]);
    const alerts = await world.t.db.execute("SELECT rule, labels FROM alerts");
    expect(alerts.rows.map((r) => ({ ...r }))).toEqual([{ rule: "signature_failure", labels: '{"source":"bot"}' }]);
  });

  it("a source declared only by its secret is stored under its key in lower case, whatever separator the path uses", async () => {
    const secret = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
    const deps = realTimeDeps(testEnv({ WEBHOOK_SECRET_WHATSAPP_BOT: secret }));
    const app = createApp(deps);
    const capture = signedRequest(botEvent("message.received"), { secret, id: "cap_sep" });
    const duplicates = [];
    for (const spelling of ["whatsapp-bot", "whatsapp_bot", "WhatsApp.Bot"]) {
      const res = await app.request(`/api/webhooks/${spelling}`, capture);
      expect(res.status, spelling).toBe(200);
      duplicates.push(((await res.json()) as { duplicate: boolean }).duplicate);
    }
    expect(duplicates).toEqual([false, true, true]);
    expect((await world.t.db.execute("SELECT DISTINCT source FROM webhook_events")).rows.map((r) => r.source)).toEqual(["whatsapp_bot"]);
  });
});

describe("made-up sources", () => {
  it("with sources declared, 500 made-up names answer 404, are counted as one aggregate, and raise one alert", async () => {
    const deps = realTimeDeps(testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "whatsapp-bot" }));
    const app = createApp(deps);
    const statuses = new Set<number>();
    for (let i = 0; i < 500; i++) statuses.add((await app.request(`/api/webhooks/made-up-${i}`, unsigned())).status);
    expect([...statuses]).toEqual([404]);
    expect(await count("SELECT COUNT(DISTINCT source) AS n FROM webhook_rollups")).toBe(1);
    expect(await count("SELECT SUM(value) AS n FROM webhook_rollups WHERE source = '(undeclared)' AND key = 'unknown_source'")).toBe(500);
    await evaluateAlerts(deps, deps.clock(), DEFAULT_RULES, ["console"] as Channel[]);
    expect(await count("SELECT COUNT(*) AS n FROM alerts")).toBe(1);
    // The declared source still works.
    expect((await app.request("/api/webhooks/whatsapp-bot", signedRequest(botEvent("message.received")))).status).toBe(200);
  });

  it("with nothing declared, unsigned requests to names that never delivered share one aggregate and one alert", async () => {
    const deps = realTimeDeps();
    const app = createApp(deps);
    for (let i = 0; i < 500; i++) expect((await app.request(`/api/webhooks/made-up-${i}`, unsigned())).status).toBe(401);
    expect((await world.t.db.execute("SELECT DISTINCT source FROM webhook_rollups")).rows.map((r) => r.source)).toEqual(["(undeclared)"]);
    await evaluateAlerts(deps, deps.clock(), DEFAULT_RULES, ["console"] as Channel[]);
    const alerts = await world.t.db.execute("SELECT rule, labels FROM alerts");
    expect(alerts.rows.map((r) => ({ ...r }))).toEqual([{ rule: "signature_failure", labels: '{"source":"(undeclared)"}' }]);
  });

  it("caps the alerts of one rule: 40 real sources failing at once open 19 alerts and one overflow alert", async () => {
    const deps = realTimeDeps();
    const app = createApp(deps);
    const now = deps.clock();
    // Each source delivered two hours ago (so it exists), and now only fails its signature.
    deps.testClock.set(now - 2 * 3_600_000);
    for (let i = 0; i < 40; i++) {
      const sent = signedRequest(botEvent("message.received"), { timestampSeconds: Math.floor(deps.clock() / 1000) });
      expect((await app.request(`/api/webhooks/bot-${i}`, sent)).status).toBe(200);
    }
    deps.testClock.set(now);
    for (let i = 0; i < 40; i++) expect((await app.request(`/api/webhooks/bot-${i}`, unsigned())).status).toBe(401);
    await evaluateAlerts(deps, deps.clock(), DEFAULT_RULES, ["console"] as Channel[]);
    const alerts = (await world.t.db.execute("SELECT labels, summary FROM alerts WHERE rule = 'signature_failure'")).rows;
    expect(alerts).toHaveLength(20);
    const overflow = alerts.filter((a) => a.labels === '{"overflow":"true"}');
    expect(overflow).toHaveLength(1);
    expect(String(overflow[0]!.summary)).toMatch(/^21 more conditions/);
  });

  it("a source taken off WEBHOOK_SOURCES is no longer watched for silence", async () => {
    const deps = realTimeDeps(testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "old-bot,new-bot" }));
    await createApp(deps).request("/api/webhooks/old-bot", signedRequest(botEvent("message.received")));
    const later = deps.clock() + 3 * 3600_000;
    const zero = DEFAULT_RULES.filter((r) => r.signal === "zero_deliveries");
    await evaluateAlerts({ ...deps, settings: settingsFromEnv(testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "new-bot" })) }, later, zero, [
      "console",
    ]);
    expect(await count("SELECT COUNT(*) AS n FROM alerts")).toBe(0);
    await evaluateAlerts(deps, later, zero, ["console"]);
    expect(await count("SELECT COUNT(*) AS n FROM alerts WHERE rule = 'zero_deliveries'")).toBe(1);
  });
});

describe("signed input that used to answer 500 forever", () => {
  it("400s a date outside any sane range, naming occurred_at", async () => {
    const app = createApp(realTimeDeps());
    for (const occurred_at of [9007199254740991, 8.64e15 + 1, 1, "+275760-09-13T00:00:00.000Z", "2200-01-01T00:00:00Z"]) {
      const res = await app.request("/api/webhooks/bot", signedRequest({ type: "message.received", occurred_at }));
      expect(res.status, `occurred_at ${occurred_at}`).toBe(400);
      expect(JSON.stringify(await res.json())).toContain("occurred_at");
    }
  });

  it("400s JSON nested 4,100 levels deep, naming the depth", async () => {
    const app = createApp(realTimeDeps());
    const deep = `${"[".repeat(4100)}${"]".repeat(4100)}`;
    const res = await app.request("/api/webhooks/bot", signedRequest(`{"type":"message.received","occurred_at":1,"x":${deep}}`));
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/nested deeper than 64/);
    const delivery = await app.request("/api/webhooks/bot", signedRequest(`{"x":${deep}}`));
    expect(delivery.status).toBe(400);
  });
});

describe("replays", () => {
  it("X-Signature-256: the same signed body with 20 fresh unsigned delivery ids is stored and counted once", async () => {
    const secret = "provider-hmac-secret-0123456789abcdef";
    const app = createApp(realTimeDeps(testEnv({ WEBHOOK_SECRET, WEBHOOK_SECRET_PROVIDER: secret })));
    const body = botEvent("error", { error: { type: "send_failed" } });
    const answers = [];
    for (let i = 0; i < 20; i++)
      answers.push(
        await (await app.request("/api/webhooks/provider", hexSignedRequest(body, secret, { "x-delivery-id": `fresh-${i}` }))).json(),
      );
    expect(answers.filter((a) => a.duplicate === false)).toHaveLength(1);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events WHERE source = 'provider'")).toBe(1);
    expect(await count("SELECT SUM(value) AS n FROM webhook_rollups WHERE source = 'provider' AND metric = 'error'")).toBe(1);
  });

  it("Standard Webhooks under the shared secret: one delivery replayed to other sources is a duplicate there", async () => {
    const app = createApp(realTimeDeps());
    const captured = signedRequest(botEvent("message.received"), { id: "msg_captured" });
    const answers = [];
    for (const source of ["bot-a", "bot-b", "anything-else"])
      answers.push(await (await app.request(`/api/webhooks/${source}`, captured)).json());
    expect(answers.map((a) => a.duplicate)).toEqual([false, true, true]);
    expect((await world.t.db.execute("SELECT source FROM webhook_events")).rows.map((r) => r.source)).toEqual(["bot-a"]);
  });

  it("per-source secrets bind a sender to its source: the same id under two sources is two deliveries", async () => {
    const [a, b] = [`whsec_${randomBytes(32).toString("base64")}`, `whsec_${randomBytes(32).toString("base64")}`];
    const app = createApp(realTimeDeps(testEnv({ WEBHOOK_SECRET_BOT_A: a, WEBHOOK_SECRET_BOT_B: b })));
    const ts = Math.floor(Date.now() / 1000);
    const body = botEvent("message.received");
    expect(
      await (await app.request("/api/webhooks/bot-a", signedRequest(body, { id: "msg_same", secret: a, timestampSeconds: ts }))).json(),
    ).toMatchObject({ duplicate: false });
    expect(
      await (await app.request("/api/webhooks/bot-b", signedRequest(body, { id: "msg_same", secret: b, timestampSeconds: ts }))).json(),
    ).toMatchObject({ duplicate: false });
    // And bot-a's delivery does not verify under bot-b.
    expect(
      (await app.request("/api/webhooks/bot-b", signedRequest(body, { id: "msg_other", secret: a, timestampSeconds: ts }))).status,
    ).toBe(401);
  });
});

describe("weak secrets stop start-up, naming the variable", () => {
  const configError = (vars: Record<string, string>) => {
    try {
      parseEnv(vars);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    return "";
  };

  it.each([
    ["WEBHOOK_SECRET", "x"],
    ["WEBHOOK_SECRET", "whsec_"],
    ["WEBHOOK_SECRET", "whsec_!!!!"],
    ["WEBHOOK_SECRET", "!!!!!!!!"],
    ["WEBHOOK_SECRET", "whsec_d3Jvbmc="],
    ["WEBHOOK_SECRET", `whsec_${Buffer.alloc(23, 7).toString("base64")}`],
    ["WEBHOOK_SECRET", "a-plain-secret-31-characters-xx"],
    ["WEBHOOK_SECRET_BOT", "short"],
    ["WEBHOOK_SECRET", `${"a".repeat(32)},x`],
    ["ALERT_WEBHOOK_SECRET", "my-alert-secret!"],
    ["ALERT_WEBHOOK_SECRET", "a-plain-secret-of-at-least-32-characters"],
    // Long enough, but one character or a short pattern: no entropy to speak of.
    ["WEBHOOK_SECRET", "p".repeat(32)],
    ["WEBHOOK_SECRET", "ab".repeat(20)],
    ["WEBHOOK_SECRET", `whsec_${Buffer.alloc(32, 7).toString("base64")}`],
    ["WEBHOOK_SECRET_BOT", "0".repeat(64)],
    ["CRON_SECRET", "a".repeat(40)],
    ["VIGIL_API_KEY", "abcabcabcabcabcabcabc"],
  ])("%s=%s", (name, value) => {
    expect(configError({ [name]: value })).toContain(`${name}${value.includes(",") ? " (entry 2)" : ""}: `);
  });

  it("accepts whsec_ with 24+ random bytes and plain secrets of 32+ varied characters", () => {
    const env = parseEnv({
      WEBHOOK_SECRET: `whsec_${randomBytes(24).toString("base64")}`,
      WEBHOOK_SECRET_BOT: randomBytes(24).toString("hex").slice(0, 32),
      CRON_SECRET: randomBytes(12).toString("base64url"),
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    expect(env.WEBHOOK_SECRET).toMatch(/^whsec_/);
  });

  it("a signature forged with an empty key no longer verifies under a secret that used to decode to nothing", () => {
    const body = Buffer.from("{}");
    const ts = 1_700_000_000;
    const forged = `v1,${createHmac("sha256", Buffer.alloc(0)).update(`id.${ts}.`).update(body).digest("base64")}`;
    for (const secret of ["x", "!!!!!!!!"]) {
      const check = verifySignature({
        secrets: [secret],
        headers: (n) => ({ "webhook-id": "id", "webhook-timestamp": String(ts), "webhook-signature": forged })[n],
        body,
        nowSeconds: ts,
        toleranceSeconds: 300,
      });
      expect(check.ok, secret).toBe(false);
    }
  });
});

describe("control characters in ids and labels", () => {
  it("400s a NUL in a run id, an agent name, a path parameter and a bot event's error type", async () => {
    const deps = realTimeDeps();
    const app = createApp(deps);
    const post = (path: string, body: unknown) =>
      app.request(path, { method: "POST", body: JSON.stringify(body), headers: { ...apiAuth, "content-type": "application/json" } });
    const run = await post("/api/runs", { sessionId: "run\u0000a", taskDescription: "x", totalTasks: 1 });
    expect(run.status).toBe(400);
    expect(JSON.stringify(await run.json())).toContain("control characters");
    expect((await post("/api/executions", { agentSessionId: "e1", agentName: "coder\u0007" })).status).toBe(400);
    expect((await app.request("/api/runs/run%00a", { headers: apiAuth })).status).toBe(400);
    const event = await app.request("/api/webhooks/bot", signedRequest(botEvent("error", { error: { type: "timeout\u0000x" } })));
    expect(event.status).toBe(400);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events WHERE error_type LIKE 'timeout%'")).toBe(0);
  });

  it("400s a C1 control (U+009B, CSI to a terminal) or a Unicode line separator in the same places", async () => {
    const app = createApp(realTimeDeps());
    const post = (path: string, body: unknown) =>
      app.request(path, { method: "POST", body: JSON.stringify(body), headers: { ...apiAuth, "content-type": "application/json" } });
    expect((await post("/api/runs", { sessionId: "run\u009b2J", taskDescription: "x", totalTasks: 1 })).status).toBe(400);
    expect((await post("/api/executions", { agentSessionId: "e2", agentName: "coder\u2028fake line" })).status).toBe(400);
    expect((await app.request("/api/runs/run%C2%9Ba", { headers: apiAuth })).status).toBe(400);
    const event = await app.request("/api/webhooks/bot", signedRequest(botEvent("error", { error: { type: "c1\u009bx" } })));
    expect(event.status).toBe(400);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_events WHERE error_type LIKE 'c1%'")).toBe(0);
    // Letters outside ASCII are names like any other.
    expect((await post("/api/runs", { sessionId: "déploiement-été", taskDescription: "x", totalTasks: 1 })).status).toBe(201);
  });

  it("400s ids with a lone UTF-16 surrogate, which would read back as U+FFFD and collide; a paired one is a character like any other", async () => {
    const app = createApp(realTimeDeps());
    const post = (path: string, body: unknown) =>
      app.request(path, { method: "POST", body: JSON.stringify(body), headers: { ...apiAuth, "content-type": "application/json" } });
    const high = await post("/api/runs", { sessionId: "lone-\ud800", taskDescription: "x", totalTasks: 1 });
    expect(high.status).toBe(400);
    expect(JSON.stringify(await high.json())).toContain("unpaired surrogates");
    expect((await post("/api/runs", { sessionId: "lone-\udfff", taskDescription: "x", totalTasks: 1 })).status).toBe(400);
    expect((await post("/api/executions", { agentSessionId: "e3", agentName: "\udc00coder" })).status).toBe(400);
    const event = await app.request(
      "/api/webhooks/bot",
      signedRequest(botEvent("message.received", { conversation_id: "conv-\ud83d", message_id: "m-lone" })),
    );
    expect(event.status).toBe(400);
    expect((await post("/api/runs", { sessionId: "emoji-\ud83d\ude80", taskDescription: "x", totalTasks: 1 })).status).toBe(201);
  });
});

function withPrefix(limiter: { limit(key: string): Promise<{ allowed: boolean; retryAfterSeconds: number }> }, p: string) {
  return { limit: (key: string) => limiter.limit(`${p}:${key}`) };
}
