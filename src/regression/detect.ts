import { usd } from "../monitoring/cost-queries.js";
import { fisherGreater, holm, mannWhitneyGreater } from "./stats.js";

export interface RegressionSettings {
  /** The chance of any false alarm in one evaluation (family-wise, Holm). */
  alpha: number;
  /** Fewer observations than this, now or in the baseline, and a metric is not tested. */
  minSamples: number;
  /** A significant change smaller than this ratio (now ÷ baseline) is not reported. */
  minRatio: number;
  /** Days of baseline: the same hours of each. */
  baselineDays: number;
}

interface Base {
  /** What is measured, as people read it: "error rate", "p95 response time". */
  metric: string;
  /** Whose: a webhook source, or "conversations". */
  scope: string;
  /** The recent window, as people read it: "60 min", "24 h". */
  window: string;
}
interface RateObservation extends Base {
  kind: "rate";
  now: { events: number; trials: number };
  baseline: { events: number; trials: number };
}
interface LatencyObservation extends Base {
  kind: "latency";
  /** Counts per ordered latency bucket. */
  now: number[];
  baseline: number[];
  nowP95Ms: number | null;
  baselineP95Ms: number | null;
}
interface CostObservation extends Base {
  kind: "cost";
  /** Measured conversation costs in USD, ascending, with how many conversations cost each. */
  now: { usd: number; n: number }[];
  baseline: { usd: number; n: number }[];
}
export type Observation = RateObservation | LatencyObservation | CostObservation;

export interface Finding {
  metric: string;
  scope: string;
  window: string;
  baseline: string;
  now: string;
  effect: string;
  p: number;
}
/** A tested metric: baseline against now, whether or not it got worse. */
export interface Comparison extends Finding {
  regression: boolean;
}

const pct = (events: number, trials: number) => `${((100 * events) / trials).toFixed(1)}% (${events}/${trials})`;
export const formatP = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2));
const count = (xs: { n: number }[]) => xs.reduce((a, x) => a + x.n, 0);
const samples = (o: Observation): [number, number] =>
  o.kind === "rate"
    ? [o.now.trials, o.baseline.trials]
    : o.kind === "cost"
      ? [count(o.now), count(o.baseline)]
      : [o.now.reduce((a, b) => a + b, 0), o.baseline.reduce((a, b) => a + b, 0)];
const meanUsd = (xs: { usd: number; n: number }[]) => xs.reduce((a, x) => a + x.usd * x.n, 0) / count(xs);

/** Both sides' amounts as counts per shared ordered bin, the form the rank test takes. */
function costBins(o: CostObservation): [number[], number[]] {
  const amounts = [...new Set([...o.now, ...o.baseline].map((x) => x.usd))].sort((a, b) => a - b);
  const at = new Map(amounts.map((a, i) => [a, i]));
  const bins = (xs: { usd: number; n: number }[]) => {
    const out = amounts.map(() => 0);
    for (const x of xs) out[at.get(x.usd)!]! += x.n;
    return out;
  };
  return [bins(o.now), bins(o.baseline)];
}

function shown(o: Observation, side: "now" | "baseline"): string {
  const n = samples(o)[side === "now" ? 0 : 1];
  if (o.kind === "rate") return pct(o[side].events, o[side].trials);
  if (o.kind === "cost") return `${usd(meanUsd(o[side]))} per conversation (${n} conversations)`;
  return `${side === "now" ? o.nowP95Ms : o.baselineP95Ms} ms p95 (${n} replies)`;
}

interface Tested {
  o: Observation;
  p: number;
  ratio: number;
  effect: string;
}

function test(o: Observation): Tested {
  if (o.kind === "rate") {
    const events = Math.min(o.now.events, o.now.trials);
    const baseEvents = Math.min(o.baseline.events, o.baseline.trials);
    const [rate, baseRate] = [events / o.now.trials, baseEvents / o.baseline.trials];
    const ratio = baseRate > 0 ? rate / baseRate : rate > 0 ? Number.POSITIVE_INFINITY : 1;
    const points = ((rate - baseRate) * 100).toFixed(1);
    return {
      o,
      p: fisherGreater(events, o.now.trials, baseEvents, o.baseline.trials),
      ratio,
      effect: `${Number.isFinite(ratio) ? `×${ratio.toFixed(1)}` : "from none"}, ${rate >= baseRate ? "+" : ""}${points} points`,
    };
  }
  if (o.kind === "cost") {
    const { p, effect } = mannWhitneyGreater(...costBins(o));
    const [mean, baseMean] = [meanUsd(o.now), meanUsd(o.baseline)];
    const ratio = baseMean > 0 ? mean / baseMean : mean > 0 ? Number.POSITIVE_INFINITY : 1;
    return {
      o,
      p,
      ratio,
      effect: `${Number.isFinite(ratio) ? `×${ratio.toFixed(1)}` : "from $0"} per conversation, a conversation now costs more than a baseline one ${(effect * 100).toFixed(0)}% of the time`,
    };
  }
  const { p, effect } = mannWhitneyGreater(o.now, o.baseline);
  const ratio = o.nowP95Ms !== null && o.baselineP95Ms ? o.nowP95Ms / o.baselineP95Ms : 1;
  return {
    o,
    p,
    ratio,
    effect: `p95 ×${ratio.toFixed(1)}, a reply now is slower than a baseline one ${(effect * 100).toFixed(0)}% of the time`,
  };
}

/**
 * Which observations got significantly worse than their baseline. Only those with enough samples
 * on both sides are tested; Holm's procedure across all of them keeps the chance of any false
 * alarm in this evaluation at `alpha`; a significant change is reported only when it is at least
 * `minRatio` times the baseline. Pure.
 */
export function detectRegressions(
  observations: readonly Observation[],
  s: RegressionSettings,
): { tested: number; findings: Finding[]; comparisons: Comparison[] } {
  const tested = observations.filter((o) => samples(o).every((n) => n >= s.minSamples)).map(test);
  const significant = holm(
    tested.map((t) => t.p),
    s.alpha,
  );
  const comparisons = tested.map(({ o, p, effect, ratio }, i) => ({
    metric: o.metric,
    scope: o.scope,
    window: o.window,
    baseline: shown(o, "baseline"),
    now: shown(o, "now"),
    effect,
    p,
    regression: Boolean(significant[i]) && ratio >= s.minRatio,
  }));
  return { tested: tested.length, findings: comparisons.filter((c) => c.regression), comparisons };
}

/** One line for an alert, a red flag or the page: baseline, now, effect size and p-value. */
export const describeFinding = (f: Finding, baselineDays: number) =>
  `${f.metric} (${f.scope}, last ${f.window}): now ${f.now} vs ${f.baseline} in the same hours of the previous ${baselineDays} days — ${f.effect}, p = ${formatP(f.p)}`;
