import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { LATENCY_BOUNDS } from "../../src/stability/latency.js";

// The bucket a latency falls in, worked out here apart from the catch-up's SQL that files it.
function bucketRangeOf(ms: number): [number, number] {
  const i = LATENCY_BOUNDS.findIndex((bound) => ms <= bound);
  return i === -1 ? [LATENCY_BOUNDS.at(-1)!, Number.POSITIVE_INFINITY] : [i === 0 ? 0 : LATENCY_BOUNDS[i - 1]!, LATENCY_BOUNDS[i]!];
}
import { readPeriodMetrics } from "../../src/stability/period-metrics.js";
import { gatherStatus } from "../../src/status/data.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testDeps, testEnv } from "../helpers/deps.js";
import { signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());

// A small deterministic PRNG so a failure can be replayed.
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 2 ** 32;
    return seed / 2 ** 32;
  };
}

describe("rollups against raw counts", () => {
  it("match exactly for 4000 random events over 3 hours, duplicates and failures included", async () => {
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
    const start = Date.parse("2026-11-23T08:00:00Z");
    const app = createApp(deps);
    const random = rng(42);
    const types = ["message.received", "message.processed", "response.sent", "error", "signature.failed", "delivery"];
    const latencies: number[] = [];
    const expected = { delivery: 0, processed: 0, response: 0, errors: {} as Record<string, number>, sigFailures: 0, accepted: 0 };

    for (let i = 0; i < 4000; i++) {
      const now = start + Math.floor(random() * 3 * 3600_000);
      deps.testClock.set(now);
      const ts = Math.floor(now / 1000);
      const type = types[Math.floor(random() * types.length)]!;
      const roll = random();
      if (roll < 0.03) {
        // A forged request.
        const res = await app.request("/api/webhooks/bot", signedRequest({ type }, { secret: "whsec_Zm9yZ2Vk", timestampSeconds: ts }));
        expect(res.status).toBe(401);
        expected.sigFailures++;
        continue;
      }
      const body =
        type === "delivery"
          ? { provider: "meta", n: i }
          : {
              type,
              occurred_at: new Date(now).toISOString(),
              ...(type === "response.sent" ? { latency_ms: Math.floor(random() ** 3 * 20_000) } : {}),
              ...(type === "error" ? { error: { type: random() < 0.5 ? "llm_timeout" : "send_failed" } } : {}),
            };
      const id = `msg_${i}`;
      const res = await app.request("/api/webhooks/bot", signedRequest(body, { id, timestampSeconds: ts }));
      expect(res.status).toBe(200);
      expected.accepted++;
      if (type === "message.received" || type === "delivery") expected.delivery++;
      if (type === "message.processed") expected.processed++;
      if (type === "response.sent") {
        expected.response++;
        latencies.push((body as { latency_ms: number }).latency_ms);
      }
      if (type === "error") {
        const et = (body as { error: { type: string } }).error.type;
        expected.errors[et] = (expected.errors[et] ?? 0) + 1;
      }
      if (type === "signature.failed") expected.sigFailures++;
      if (roll > 0.95) {
        // A retry of the same delivery: acknowledged, never counted twice.
        const again = await app.request("/api/webhooks/bot", signedRequest(body, { id, timestampSeconds: ts }));
        expect(await again.json()).toMatchObject({ duplicate: true });
      }
    }

    const m = await readPeriodMetrics(t.db, start, start + 3 * 3600_000, 10_000);
    expect(m.deliveries).toBe(expected.delivery);
    expect(m.processed).toBe(expected.processed);
    expect(m.responses).toBe(expected.response);
    expect(m.signaturePassed).toBe(expected.accepted);
    // Every failure is counted once, as the sender's or as probing beside its deliveries.
    expect(m.signatureFailures + m.signatureProbing.failures).toBe(expected.sigFailures);
    expect(m.errorsByType).toEqual(expected.errors);

    // The 15-minute rollups are the per-minute ones, summed (latency_max: the maximum).
    const levels = await t.db.execute(`SELECT a.metric, a.key, a.total AS minute_total, b.total AS quarter_total FROM
      (SELECT metric, key, CASE WHEN metric = 'latency_max' THEN MAX(value) ELSE SUM(value) END AS total FROM webhook_rollups GROUP BY 1, 2) a
      JOIN (SELECT metric, key, CASE WHEN metric = 'latency_max' THEN MAX(value) ELSE SUM(value) END AS total FROM webhook_rollups_15m GROUP BY 1, 2) b USING (metric, key)`);
    expect(levels.rows.length).toBeGreaterThan(10);
    for (const r of levels.rows) expect(r.quarter_total, `${r.metric}/${r.key}`).toBe(r.minute_total);

    // And the raw table agrees with the rollups.
    const raw = await t.db.execute("SELECT type, COUNT(*) AS n FROM webhook_events GROUP BY type");
    const rawByType: Record<string, number> = Object.fromEntries(raw.rows.map((r) => [String(r.type), Number(r.n)]));
    expect(Object.values(rawByType).reduce((a, b) => a + b, 0)).toBe(expected.accepted);
    expect(m.eventsByType).toEqual(rawByType);

    // Latency: exact count, average and max; percentiles inside the true value's bucket.
    latencies.sort((a, b) => a - b);
    expect(m.responseTime.count).toBe(latencies.length);
    expect(m.responseTime.avgMs).toBe(Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length));
    expect(m.responseTime.maxMs).toBe(latencies.at(-1));
    for (const [p, estimate] of [
      [0.5, m.responseTime.p50Ms],
      [0.95, m.responseTime.p95Ms],
      [0.99, m.responseTime.p99Ms],
    ] as const) {
      const truth = latencies[Math.ceil(p * latencies.length) - 1]!;
      const [lower, upper] = bucketRangeOf(truth);
      expect(estimate, `p${p * 100}: true ${truth}`).toBeGreaterThanOrEqual(lower);
      expect(estimate, `p${p * 100}: true ${truth}`).toBeLessThanOrEqual(upper);
    }
  }, 120_000); // 4,000 signed requests through the app: seconds alone, longer on a loaded 2-core machine
});

describe("quarter-hour rollups of signature failures", () => {
  it("are keyed by the slot's start, so the status page's hourly chart counts them", async () => {
    // Declared, so its failures are its own rather than the "(undeclared)" aggregate.
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "sigslot" }) });
    const app = createApp(deps);
    const at = Date.parse("2026-11-20T08:07:30Z");
    deps.testClock.set(at);
    const res = await app.request(
      "/api/webhooks/sigslot",
      signedRequest({ type: "message.received" }, { secret: "whsec_Zm9yZ2Vk", timestampSeconds: Math.floor(at / 1000) }),
    );
    expect(res.status).toBe(401);
    const rows = await t.db.execute({
      sql: "SELECT slot FROM webhook_rollups_15m WHERE metric = 'signature_failure' AND slot >= ? AND slot < ?",
      args: [Date.parse("2026-11-20T00:00:00Z"), Date.parse("2026-11-21T00:00:00Z")],
    });
    expect(rows.rows.map((r) => Number(r.slot))).toEqual([Date.parse("2026-11-20T08:00:00Z")]);
    deps.testClock.set(Date.parse("2026-11-20T09:30:00Z"));
    const status = await gatherStatus(deps, deps.clock(), false);
    const eight = status.signatureFailures.find((p) => p.at === Date.parse("2026-11-20T08:00:00Z"));
    expect(eight?.value).toBe(1);
  });
});
