import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import type { PeriodMetrics } from "../../src/stability/period-metrics.js";
import type { RedFlag } from "../../src/stability/red-flags.js";
import { evaluateChecks } from "../../src/report/report-checks.js";
import { createTestDb } from "../helpers/db.js";
import { apiAuth, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { H, M } from "../helpers/stability.js";
import { storeEvent, storeExchange } from "./factories.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

const day = Date.parse("2026-11-23T00:00:00Z");

async function twentyFourHours(options: { slowAt?: number; errorAt?: number } = {}) {
  const t = await createTestDb();
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  const app = createApp(deps);
  for (let at = day; at < day + 24 * H; at += 20 * M) {
    await storeExchange(deps, at, options.slowAt !== undefined && at >= options.slowAt ? 14_000 : 1500);
    if (at % (4 * H) === 0 && at > day) {
      deps.testClock.set(at + 5 * M);
      await app.request("/api/cron/checkpoint", { headers: cronAuth });
    }
  }
  if (options.errorAt !== undefined)
    await storeEvent(deps, options.errorAt, { type: "error", error: { type: "send_failed", message: "WhatsApp API 500" } });
  deps.testClock.set(day + 24 * H + 2 * M);
  await app.request("/api/cron/checkpoint", { headers: cronAuth });
  return { t, deps, app };
}

describe("GET /api/stability/report over a healthy day", () => {
  let ctx: Awaited<ReturnType<typeof twentyFourHours>>;
  beforeAll(async () => (ctx = await twentyFourHours()));
  afterAll(() => ctx.t.cleanup());

  it("answers STABLE with the totals, checks and checkpoints of the period", async () => {
    const res = await ctx.app.request("/api/stability/report?hours=24", { headers: apiAuth });
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r).toMatchObject({ status: "STABLE", productionReady: true, hours: 24, successRate: 1, errorRate: 0 });
    // The period is the 24 hours before 00:02 the next day: the 00:00 exchange falls just outside.
    expect(r.totals).toMatchObject({ deliveries: 71, processed: 71, responses: 71, signatureFailures: 0, errors: 0 });
    expect(r.responseTime).toMatchObject({ count: 71, avgMs: 1500, maxMs: 1500 });
    expect(r.checks.every((c: { pass: boolean }) => c.pass)).toBe(true);
    expect(r.redFlags).toEqual([]);
    // The log counts from Start (00:02): Hour 0 is the baseline of the 4 hours before it, and no window begins before Start.
    expect(r.log.map((c: { hour: number; windowStart: string }) => [c.hour, c.windowStart.slice(11, 16)])).toEqual([
      [0, "20:02"],
      [4, "00:02"],
      [8, "04:02"],
      [12, "08:02"],
      [16, "12:02"],
      [20, "16:02"],
      [24, "20:02"],
    ]);
    expect(r.observation).toMatchObject({ complete: true, requiredHours: 24, since: "2026-11-23T00:00:00.000Z", why: "deliveries began" });
    expect(r.recommendations).toEqual(["No action needed: every threshold held for the whole period."]);
  });

  it("renders the monitoring log a person would have written, section by section", async () => {
    const res = await ctx.app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth });
    expect(res.headers.get("content-type")).toContain("text/markdown");
    const md = await res.text();
    const section = (title: string) => {
      const start = md.indexOf(`${title}\n`);
      expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
      const rest = md.slice(start + title.length + 1);
      const next = rest.search(/^#{2,3} /m);
      return next === -1 ? rest : rest.slice(0, next);
    };
    expect(md.split("\n")[0]).toBe("# 24-Hour Stability Monitoring Log");
    expect(md).toContain("**Start:** 2026-11-23T00:02:00Z");
    expect(md).toContain("**Status:** STABLE");
    expect(section("### Hour 0 (Start)")).toContain("**Time:** 2026-11-23T00:02:00Z");
    for (const hour of [4, 8, 12, 16, 20]) {
      const s = section(`### Hour ${hour}`);
      expect(s).toContain(`**Time:** 2026-11-23T${String(hour).padStart(2, "0")}:02:00Z`);
      expect(s).toContain("**Webhook deliveries:** 12");
      expect(s).toContain("**Messages processed:** 12");
      expect(s).toContain("**Signature verifications:** 36 passed / 0 failed");
      expect(s).toContain("**Response time (avg):** 1500 ms");
    }
    // The first exchange (00:00) falls in the 4 hours before Start: Hour 0's baseline.
    expect(section("### Hour 0 (Start)")).toContain("**Webhook deliveries:** 1");
    const final = section("### Hour 24 (Final)");
    expect(final).toContain("**Success rate:** 100.0%");
    expect(final).toContain("**Total webhook deliveries:** 71");
    const table = section("## Metrics Summary");
    expect(table).toContain("| Success rate (≥ 95%) | 100.0% | ✓ |");
    expect(table).toContain("| Signature failures (≤ 0) | 0 | ✓ |");
    expect(table).toContain("| Response time (avg) (< 10 s) | 1500 ms | ✓ |");
    expect(table).toContain("| Error rate (< 5%) | 0.0% | ✓ |");
    expect(table).not.toContain("✗");
    expect(section("## Issues Encountered").trim()).toBe("None.");
    expect(section("## Recommendations")).toContain("No action needed");
    expect(section("## Conclusion")).toContain("**Production Ready:** YES");
    expect(section("## Conclusion")).toContain(
      "**STABLE:** YES · **SECURE:** YES · **PERFORMANT:** YES · **QUALITY:** NOT MEASURED (monitoring not configured",
    );
  });

  it("validates its query", async () => {
    expect((await ctx.app.request("/api/stability/report?hours=0", { headers: apiAuth })).status).toBe(400);
    expect((await ctx.app.request("/api/stability/report?format=pdf", { headers: apiAuth })).status).toBe(400);
    const list = await (await ctx.app.request("/api/stability/checkpoints?limit=2", { headers: apiAuth })).json();
    expect(list.checkpoints).toHaveLength(2);
    expect((await ctx.app.request("/api/stability/checkpoints?limit=0", { headers: apiAuth })).status).toBe(400);
  });
});

describe("a day that needs attention", () => {
  it("fails on slow responses and an error, with red flags, recommendations and NO", async () => {
    const ctx = await twentyFourHours({ slowAt: day + 12 * H, errorAt: day + 9 * H + 7 * M });
    try {
      const r = await (await ctx.app.request("/api/stability/report", { headers: apiAuth })).json();
      expect(r).toMatchObject({ status: "NEEDS_ATTENTION", productionReady: false });
      const failed = r.checks.filter((c: { pass: boolean }) => !c.pass).map((c: { name: string }) => c.name);
      expect(failed).toEqual(["no_critical_red_flags"]);
      expect(r.redFlags.map((f: { kind: string; at: string }) => [f.kind, f.at.slice(11, 16)])).toEqual([
        ["processing_errors", "09:07"],
        ["response_time", "12:00"],
        ["slow_replies", "12:00"],
      ]);
      expect(r.recommendations.join(" ")).toMatch(/send_failed/);
      expect(r.recommendations.join(" ")).toMatch(/too slow/);
      const md = await (await ctx.app.request("/api/stability/report?format=markdown", { headers: apiAuth })).text();
      expect(md).toContain("**Production Ready:** NO");
      expect(md).toContain("| Critical red flags (none) | 1 | ✗ |");
      expect(md).toMatch(/- 2026-11-23T09:07:00Z — \*\*CRITICAL\*\* processing_errors: 1 processing error\(s\) \(send_failed: 1\)/);
    } finally {
      ctx.t.cleanup();
    }
  });
});

describe("evaluateChecks thresholds", () => {
  const t = {
    minSuccessRate: 0.95,
    maxErrorRate: 0.05,
    responseTimeMs: 10_000,
    maxSignatureFailures: 0,
    zeroDeliveryMinutes: 60,
    unansweredMinutes: 10,
    unansweredMinReceived: 5,
  };
  const metrics = (over: Partial<PeriodMetrics> = {}): PeriodMetrics => ({
    from: 0,
    to: 1,
    deliveries: 100,
    processed: 100,
    responses: 100,
    signaturePassed: 300,
    signatureFailures: 0,
    signatureFailuresByReason: {},
    signatureProbing: { failures: 0, addresses: {} },
    refusedAddresses: {},
    errors: 0,
    errorsByType: {},
    eventsByType: {},
    successRate: 1,
    errorRate: 0,
    responseTime: { count: 100, avgMs: 2000, p50Ms: 1800, p95Ms: 4000, p99Ms: 6000, maxMs: 7000 },
    slowReplies: { count: 0, slowest: null },
    errorGroups: [],
    firstAt: { signatureFailure: null, error: null, slowResponse: null },
    ...over,
  });
  const failing = (m: PeriodMetrics, flags: RedFlag[] = []) =>
    evaluateChecks(m, flags, t)
      .filter((c) => c.state === "fail")
      .map((c) => c.name);

  it.each([
    ["everything in bounds", metrics(), []],
    ["success exactly 95%", metrics({ successRate: 0.95 }), []],
    ["success 94.9%", metrics({ successRate: 0.949 }), ["success_rate"]],
    [
      "no deliveries at all: not measured, so not failed (and never passed)",
      metrics({ deliveries: 0, successRate: null, errorRate: null }),
      [],
    ],
    ["one signature failure", metrics({ signatureFailures: 1 }), ["signature_failures"]],
    ["average exactly 10 s", metrics({ responseTime: { ...metrics().responseTime, avgMs: 10_000 } }), ["avg_response_time"]],
    ["error rate 5%", metrics({ errorRate: 0.05 }), ["error_rate"]],
  ])("%s", (_n, m, expected) => {
    expect(failing(m)).toEqual(expected);
  });

  it("fails on any critical red flag, not on a warning", () => {
    expect(failing(metrics(), [{ severity: "warning", kind: "response_time", at: 0, message: "" }])).toEqual([]);
    expect(failing(metrics(), [{ severity: "critical", kind: "zero_deliveries", at: 0, message: "" }])).toEqual(["no_critical_red_flags"]);
  });
});

describe("zero deliveries", () => {
  it("before the first delivery: the report says no data yet, and closed checkpoints say no traffic", async () => {
    const t = await createTestDb();
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
    const app = createApp(deps);
    deps.testClock.set(day + 9 * H);
    await app.request("/api/cron/checkpoint", { headers: cronAuth });
    const r = await (await app.request("/api/stability/report?hours=24", { headers: apiAuth })).json();
    expect(r).toMatchObject({ status: "NO_DATA", productionReady: false, totals: { deliveries: 0 } });
    expect(r.recommendations[0]).toMatch(/^No data yet/);
    const md = await (await app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth })).text();
    expect(md).toContain("**Status:** NO DATA YET");
    expect(md).not.toContain("✗");
    expect(md).toContain("WARNING: no traffic: 0 deliveries in this period");
    t.cleanup();
  });

  it("after traffic stopped: the same zero is a silence, in the verdict and in the checkpoint", async () => {
    const t = await createTestDb();
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
    const app = createApp(deps);
    await storeExchange(deps, day + 30 * M, 1500);
    deps.testClock.set(day + 33 * H);
    await app.request("/api/cron/checkpoint", { headers: cronAuth });
    const r = await (await app.request("/api/stability/report?hours=24", { headers: apiAuth })).json();
    expect(r).toMatchObject({ status: "NEEDS_ATTENTION", totals: { deliveries: 0 } });
    const checkpoints = await (await app.request("/api/stability/checkpoints", { headers: apiAuth })).json();
    const silent = (checkpoints.checkpoints as { metrics: { deliveries: number }; status: string }[]).filter(
      (c) => c.metrics.deliveries === 0,
    );
    expect(silent.length).toBeGreaterThan(0);
    expect(new Set(silent.map((c) => c.status))).toEqual(new Set(["critical"]));
    t.cleanup();
  });
});
