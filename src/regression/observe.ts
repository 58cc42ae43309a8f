import type { Db } from "../db/client.js";
import { conversationCostSamples } from "../monitoring/store/results.js";
import { judgedOutcomes, type JudgedOutcomes } from "../monitoring/store/outcomes.js";
import { LATENCY_BOUNDS, latencyPercentile } from "../stability/latency.js";
import type { RollupRow } from "../stability/rollup-metrics.js";
import { periodTotalsBySource, readRollups } from "../stability/store/webhook-rollups.js";
import { recurringTotalsBySource } from "../stability/store/webhook-rollups-15m.js";
import type { Observation } from "./detect.js";

const MIN = 60_000;
const QUARTER = 15 * MIN;

type SourceRows = (RollupRow & { source: string })[];

const total = (rows: SourceRows, source: string, metric: RollupRow["metric"]) =>
  rows.reduce((a, r) => (r.source === source && r.metric === metric ? a + r.total : a), 0);

function buckets(rows: SourceRows, source: string): number[] {
  const counts = Array.from({ length: LATENCY_BOUNDS.length + 1 }, () => 0);
  for (const r of rows) if (r.source === source && r.metric === "latency_bucket") counts[Number(r.key)]! += r.total;
  return counts;
}
const p95 = (rows: SourceRows, source: string) =>
  latencyPercentile(
    rows.filter((r) => r.source === source),
    0.95,
  );

function bySource(now: SourceRows, base: SourceRows, window: string): Observation[] {
  const sources = [...new Set(now.map((r) => r.source))].sort();
  return sources.flatMap((source): Observation[] => [
    {
      kind: "rate",
      metric: "error rate",
      scope: source,
      window,
      now: { events: total(now, source, "error"), trials: total(now, source, "delivery") },
      baseline: { events: total(base, source, "error"), trials: total(base, source, "delivery") },
    },
    {
      kind: "latency",
      metric: "response time",
      scope: source,
      window,
      now: buckets(now, source),
      baseline: buckets(base, source),
      nowP95Ms: p95(now, source),
      baselineP95Ms: p95(base, source),
    },
  ]);
}

function conversations(now: JudgedOutcomes, base: JudgedOutcomes, window: string): Observation[] {
  const rate = (metric: string, n: [number, number], b: [number, number]): Observation => ({
    kind: "rate",
    metric,
    scope: "conversations",
    window,
    now: { events: n[0], trials: n[1] },
    baseline: { events: b[0], trials: b[1] },
  });
  const categories = [...new Set([...Object.keys(now.byCategory), ...Object.keys(base.byCategory)])].sort();
  return [
    rate("unfulfilled rate", [now.unfulfilled, now.judged], [base.unfulfilled, base.judged]),
    ...categories.map((c) => rate(`failure rate "${c}"`, [now.byCategory[c] ?? 0, now.judged], [base.byCategory[c] ?? 0, base.judged])),
    ...Object.keys(now.flags)
      .sort()
      .map((f) => rate(`quality flag ${f}`, [now.flags[f] ?? 0, now.flagged], [base.flags[f] ?? 0, base.flagged])),
  ];
}

type CostSamples = { usd: number; n: number }[];
const cost = (now: CostSamples, baseline: CostSamples, window: string): Observation => ({
  kind: "cost",
  metric: "cost per conversation",
  scope: "conversations",
  window,
  now,
  baseline,
});

const label = (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`);

/**
 * What regression detection compares, for the recent window and the last 24 h: each webhook
 * source's error rate and response times, and the conversations' unfulfilled rate, failure rate
 * per diagnosed category, quality flags and cost to the bot, each now and in the same hours of the baseline days.
 * One round trip (behind the rollups' catch-up).
 */
export async function observe(db: Db, now: number, windowMinutes: number, baselineDays: number): Promise<Observation[]> {
  const windows = [...new Set([windowMinutes, 1440])];
  const quarter = Math.floor(now / QUARTER) * QUARTER;
  const kept = keptBaselines(db, now);
  const key = (m: number) => `${m}/${baselineDays}/${quarter}`;
  const missing = windows.filter((m) => !kept.has(key(m)));
  const reads = [
    ...windows.flatMap((m) => [
      periodTotalsBySource(now - m * MIN, now + 1),
      judgedOutcomes(now - m * MIN, now + 1),
      conversationCostSamples(now - m * MIN, now + 1),
    ]),
    // The baseline of the window as of the last quarter hour.
    ...missing.flatMap((m) => [
      recurringTotalsBySource(quarter - m * MIN, quarter, baselineDays),
      judgedOutcomes(quarter - m * MIN, quarter, baselineDays),
      conversationCostSamples(quarter - m * MIN, quarter, baselineDays),
    ]),
  ];
  const results: unknown[] = await readRollups(db, reads);
  missing.forEach((m, i) => {
    const at = windows.length * 3 + i * 3;
    kept.set(key(m), {
      until: quarter + QUARTER,
      rows: results[at] as SourceRows,
      judged: results[at + 1] as JudgedOutcomes,
      costs: results[at + 2] as CostSamples,
    });
  });
  return windows.flatMap((m, i) => {
    const [nowRows, nowJudged, nowCosts] = [
      results[i * 3] as SourceRows,
      results[i * 3 + 1] as JudgedOutcomes,
      results[i * 3 + 2] as CostSamples,
    ];
    const base = kept.get(key(m))!;
    return [
      ...bySource(nowRows, base.rows, label(m)),
      ...conversations(nowJudged, base.judged, label(m)),
      cost(nowCosts, base.costs, label(m)),
    ];
  });
}

// A baseline spans days and moves only when the window crosses a quarter hour, while the rule is
// evaluated every minute: an instance keeps it (per database) until then, so the week of rollups
// and verdicts is read about once per quarter hour instead of every minute.
const baselines = new WeakMap<Db, Map<string, { until: number; rows: SourceRows; judged: JudgedOutcomes; costs: CostSamples }>>();
function keptBaselines(db: Db, now: number) {
  const kept = baselines.get(db) ?? new Map();
  baselines.set(db, kept);
  for (const [k, v] of kept) if (v.until <= now) kept.delete(k);
  return kept;
}
