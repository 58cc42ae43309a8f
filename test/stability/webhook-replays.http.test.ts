import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { depsFromEnv } from "../../src/deps.js";
import type { RateLimiter } from "../../src/integrations/rate-limiter.js";
import { checkpoint } from "../../src/jobs/checkpoint.js";
import { dbAndUpstash } from "../helpers/db-and-upstash.js";
import { captureLogs, testDeps, testEnv } from "../helpers/deps.js";
import { botEvent, hexSignedRequest, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

const world = dbAndUpstash();
beforeEach(async () => {
  await world.t.db.batch(["DELETE FROM webhook_events", "DELETE FROM webhook_replay_digests", "DELETE FROM ingest_mark"], "write");
});

const PROVIDER_SECRET = "provider-hmac-secret-0123456789abcdef";
const DAY = 86_400_000;
let prefix = 0;

/** The app with the real Upstash limiter (over redis-server), a fresh key prefix per test. */
function limitedApp(perMinute: number) {
  const env = testEnv({
    WEBHOOK_SECRET,
    WEBHOOK_SOURCES: "bot",
    WEBHOOK_SECRET_PROVIDER: PROVIDER_SECRET,
    UPSTASH_REDIS_REST_URL: world.upstash.url,
    UPSTASH_REDIS_REST_TOKEN: world.upstash.token,
    WEBHOOK_RATE_LIMIT_PER_MINUTE: String(perMinute),
  });
  const base = depsFromEnv(env, { db: world.t.db, log: captureLogs().logger });
  const p = `replay${++prefix}`;
  const limiter: RateLimiter = { limit: (key) => base.webhookRateLimiter!.limit(`${p}:${key}`) };
  return createApp({ ...base, webhookRateLimiter: limiter });
}

describe("replays cost nothing", () => {
  it.each([
    ["Standard Webhooks", "bot", () => signedRequest(botEvent("message.received"), { id: "msg_captured" })],
    ["X-Signature-256", "provider", () => hexSignedRequest(botEvent("message.received"), PROVIDER_SECRET)],
  ])("70 replays of a captured %s request leave the real sender's next 10 deliveries at 2xx", async (_, source, capture) => {
    const app = limitedApp(30);
    const captured = capture();
    const replays: number[] = [];
    const duplicates: boolean[] = [];
    for (let i = 0; i < 70; i++) {
      const res = await app.request(`/api/webhooks/${source}`, captured);
      replays.push(res.status);
      if (res.status === 200) duplicates.push((await res.json()).duplicate);
    }
    expect(
      replays.every((s) => s === 200),
      `replay statuses: ${replays.join(",")}`,
    ).toBe(true);
    expect(duplicates.filter((d) => !d)).toHaveLength(1);
    const real: number[] = [];
    for (let i = 0; i < 10; i++) {
      const body = botEvent("message.received", { message_id: `real-${i}` });
      const request = source === "bot" ? signedRequest(body) : hexSignedRequest(body, PROVIDER_SECRET);
      real.push((await app.request(`/api/webhooks/${source}`, request)).status);
    }
    expect(real, "the real sender's deliveries after the replays").toEqual(Array(10).fill(200));
    const stored = await world.t.db.execute({ sql: "SELECT COUNT(*) AS n FROM webhook_events WHERE source = ?", args: [source] });
    expect(Number(stored.rows[0]!.n), "stored once each").toBe(11);
  });
});

describe("X-Signature-256 freshness", () => {
  const appAt = (now: number) => {
    const deps = testDeps({ db: world.t.db, env: testEnv({ WEBHOOK_SECRET_PROVIDER: PROVIDER_SECRET }) });
    deps.testClock.set(now);
    return { deps, app: createApp(deps) };
  };

  it("a capture replayed after retention deleted its row is still a duplicate, stored and counted once", async () => {
    const start = Date.now();
    const body = botEvent("error", { error: { type: "send_failed" } });
    const first = appAt(start);
    expect((await (await first.app.request("/api/webhooks/provider", hexSignedRequest(body, PROVIDER_SECRET))).json()).duplicate).toBe(
      false,
    );
    // RETENTION_DAYS (30) later the checkpoint deletes the row; the replay window (90) still knows it.
    const later = appAt(start + 31 * DAY);
    await checkpoint(later.deps, start + 31 * DAY);
    expect(Number((await world.t.db.execute("SELECT COUNT(*) AS n FROM webhook_events")).rows[0]!.n)).toBe(0);
    const replay = await later.app.request("/api/webhooks/provider", hexSignedRequest(body, PROVIDER_SECRET));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true, type: "error" });
    expect(Number((await world.t.db.execute("SELECT COUNT(*) AS n FROM webhook_events")).rows[0]!.n), "not stored again").toBe(0);
  });

  it("refuses a body whose signed occurred_at is older than WEBHOOK_REPLAY_WINDOW_DAYS, and forgets digests past it", async () => {
    const start = Date.now();
    const body = botEvent("message.received");
    await appAt(start).app.request("/api/webhooks/provider", hexSignedRequest(body, PROVIDER_SECRET));
    const later = appAt(start + 91 * DAY);
    await checkpoint(later.deps, start + 91 * DAY);
    expect(Number((await world.t.db.execute("SELECT COUNT(*) AS n FROM webhook_replay_digests")).rows[0]!.n), "digest forgotten").toBe(0);
    const replay = await later.app.request("/api/webhooks/provider", hexSignedRequest(body, PROVIDER_SECRET));
    expect(replay.status).toBe(401);
    expect((await replay.json()).error.message).toContain("timestamp_too_old");
  });
});
