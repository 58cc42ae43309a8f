import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { BOT_EVENT_TYPES } from "../../src/stability/bot-event.js";
import { type PeriodMetrics, readPeriodMetrics } from "../../src/stability/period-metrics.js";
import { catchUpRollups } from "../../src/stability/rollup-catch-up.js";
import { METRICS, type Metric } from "../../src/stability/rollup-metrics.js";
import { periodTotals, readRollups } from "../../src/stability/store/webhook-rollups.js";
import { releaseTraffic } from "../../src/stability/release-traffic.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testDeps, testEnv } from "../helpers/deps.js";
import { signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());

const HOUR = 3_600_000;
const START = Date.parse("2026-11-20T00:00:00Z");

describe("rollup metric names", () => {
  it("are exactly the metrics written when every kind of event and a forged request arrive", async () => {
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
    const app = createApp(deps);
    deps.testClock.set(START + 30 * 60_000);
    const ts = Math.floor((START + 30 * 60_000) / 1000);
    const bodies: unknown[] = [
      ...BOT_EVENT_TYPES.map((type) => ({
        type,
        occurred_at: new Date(START).toISOString(),
        release: "2.4.0",
        ...(type === "response.sent" ? { latency_ms: 420 } : {}),
        ...(type === "error" ? { error: { type: "llm_timeout" } } : {}),
      })),
      { provider: "meta", entry: [] },
    ];
    for (const body of bodies)
      expect((await app.request("/api/webhooks/bot", signedRequest(body, { timestampSeconds: ts }))).status).toBe(200);
    const forged = await app.request(
      "/api/webhooks/bot",
      signedRequest({ type: "error" }, { secret: "whsec_Zm9yZ2Vk", timestampSeconds: ts }),
    );
    expect(forged.status).toBe(401);
    await catchUpRollups(t.db);

    for (const table of ["webhook_rollups", "webhook_rollups_15m"]) {
      const rs = await t.db.execute(`SELECT DISTINCT metric FROM ${table} ORDER BY metric`);
      expect(
        rs.rows.map((r) => String(r.metric)),
        `the metrics in ${table} are the Metric union`,
      ).toEqual([...METRICS].sort());
    }
  });

  // For each metric, a window whose rollups differ from a baseline window only in that metric:
  // the period metrics (what reports, checkpoints and the status page read) must differ too.
  it("are each read: changing any one metric changes the period metrics", async () => {
    const baseline: Record<Metric, [key: string, value: number]> = {
      accepted: ["", 10],
      event: ["message.received", 10],
      delivery: ["", 10],
      error: ["timeout", 1],
      processed: ["", 8],
      response: ["", 5],
      signature_failure: ["bad_signature", 1],
      refused_from: ["203.0.113.7", 1],
      latency_sum: ["", 1000],
      latency_max: ["", 240],
      latency_bucket: ["3", 5],
      release_delivery: ["2.4.0", 10],
      release_error: ["2.4.0", 1],
      release_latency: ["2.4.0\u001f3", 5],
    };
    const write = async (window: number, rows: Record<Metric, [string, number]>) => {
      for (const [metric, [key, value]] of Object.entries(rows)) {
        for (const [table, col] of [
          ["webhook_rollups", "minute"],
          ["webhook_rollups_15m", "slot"],
        ]) {
          await t.db.execute({
            sql: `INSERT INTO ${table} (${col}, source, metric, key, value) VALUES (?, 'metrics-test', ?, ?, ?)`,
            args: [window, metric, key, value],
          });
        }
      }
    };
    // Per-release traffic is read from the same totals as the period metrics.
    const read = async (window: number) => {
      const { from: _from, to: _to, firstAt: _firstAt, ...m }: PeriodMetrics = await readPeriodMetrics(t.db, window, window + HOUR, 10_000);
      const [rows] = await readRollups(t.db, [periodTotals(window, window + HOUR)]);
      return { ...m, releases: releaseTraffic(rows).map(({ firstAt: _at, ...r }) => r) };
    };
    const base = START + 24 * HOUR;
    await write(base, baseline);
    const expected = await read(base);
    expect(expected.deliveries, "the baseline window is read").toBe(10);

    for (const [i, metric] of METRICS.entries()) {
      const window = base + (i + 1) * HOUR;
      const [key, value] = baseline[metric];
      await write(window, { ...baseline, [metric]: [key, value * 2] });
      expect(await read(window), `doubling ${metric} changes what is read`).not.toEqual(expected);
    }
  });
});
