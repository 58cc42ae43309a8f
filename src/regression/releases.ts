// "Did the new release make it worse?": the current release against the previous one, from the
// verdicts of the conversations Langfuse tagged with a release and the webhook events the bot
// tagged with one, tested with the same statistics and minimum samples as the 7-day baseline.
import { usd } from "../monitoring/cost-queries.js";
import type { ReleaseVerdicts } from "../monitoring/store/results.js";
import type { ReleaseTraffic } from "../stability/release-traffic.js";
import { type Comparison, detectRegressions, type Observation, type RegressionSettings } from "./detect.js";

/** One release over the report's period; null is "not measured" (no verdict, no delivery, no reply). */
export interface ReleaseSide {
  release: string;
  /** Its first verdict or event in the period: the newer release is the one that appeared last. */
  firstAt: number;
  conversations: number;
  /** The Langfuse versions and prompts its judged conversations carried (a few). */
  versions: string[];
  prompts: string[];
  fulfillmentRate: number | null;
  failureRate: number | null;
  /** What the bot spent per conversation and per fulfilled one (Langfuse's cost; judge spend apart); null: not measured. */
  costPerConversationUsd: number | null;
  costPerFulfilledUsd: number | null;
  deliveries: number;
  errorRate: number | null;
  replies: number;
  p95Ms: number | null;
}

export interface ReleaseComparison {
  current: ReleaseSide | null;
  previous: ReleaseSide | null;
  /** Each metric with enough samples on both sides, current against previous; a significant worsening is marked. */
  comparisons: Comparison[];
}

const EMPTY: Omit<ReleaseSide, "release" | "firstAt" | "versions" | "prompts"> = {
  conversations: 0,
  fulfillmentRate: null,
  failureRate: null,
  costPerConversationUsd: null,
  costPerFulfilledUsd: null,
  deliveries: 0,
  errorRate: null,
  replies: 0,
  p95Ms: null,
};

/**
 * The two releases seen last in the period (by when each first appeared: a release named by
 * webhooks and by Langfuse is one release), side by side, and the tests between them.
 */
export function compareReleases(
  verdicts: readonly ReleaseVerdicts[],
  traffic: readonly ReleaseTraffic[],
  s: RegressionSettings,
): ReleaseComparison {
  const sides = new Map<string, ReleaseSide & { buckets: number[]; fail: number; unfulfilled: number; errors: number }>();
  const side = (release: string, firstAt: number) => {
    const x = sides.get(release) ?? {
      release,
      firstAt,
      ...EMPTY,
      versions: [] as string[],
      prompts: [] as string[],
      buckets: [] as number[],
      fail: 0,
      unfulfilled: 0,
      errors: 0,
    };
    sides.set(release, x);
    x.firstAt = Math.min(x.firstAt, firstAt);
    return x;
  };
  for (const v of verdicts) {
    const x = side(v.release, v.firstAt);
    const judged = v.pass + v.fail + v.partial;
    x.conversations = judged;
    x.versions = v.versions;
    x.prompts = v.prompts;
    x.fail = v.fail;
    x.unfulfilled = judged - v.pass;
    x.fulfillmentRate = judged > 0 ? v.pass / judged : null;
    x.failureRate = judged > 0 ? v.fail / judged : null;
    x.costPerConversationUsd = v.costUsd !== null && v.costMeasured > 0 ? v.costUsd / v.costMeasured : null;
    x.costPerFulfilledUsd = v.costUsd !== null && v.costFulfilled > 0 ? v.costUsd / v.costFulfilled : null;
  }
  for (const t of traffic) {
    const x = side(t.release, t.firstAt);
    Object.assign(x, { deliveries: t.deliveries, errors: t.errors, errorRate: t.errorRate, replies: t.replies, p95Ms: t.p95Ms });
    x.buckets = t.latencyBuckets;
  }
  // Newest first; a tie (the same first quarter hour) goes to the name that sorts last, so the order is stable.
  const [current, previous] = [...sides.values()].sort((a, b) => b.firstAt - a.firstAt || b.release.localeCompare(a.release));
  const plain = (x: typeof current) => {
    if (!x) return null;
    const { buckets: _b, fail: _f, unfulfilled: _u, errors: _e, ...rest } = x;
    return rest;
  };
  if (!current || !previous) return { current: plain(current), previous: plain(previous), comparisons: [] };
  const scope = `release ${current.release} vs ${previous.release}`;
  const window = "this period";
  const rate = (metric: string, now: [number, number], base: [number, number]): Observation => ({
    kind: "rate",
    metric,
    scope,
    window,
    now: { events: now[0], trials: now[1] },
    baseline: { events: base[0], trials: base[1] },
  });
  const observations: Observation[] = [
    rate("unfulfilled rate", [current.unfulfilled, current.conversations], [previous.unfulfilled, previous.conversations]),
    rate("failure rate", [current.fail, current.conversations], [previous.fail, previous.conversations]),
    rate("error rate", [current.errors, current.deliveries], [previous.errors, previous.deliveries]),
    {
      kind: "latency",
      metric: "response time",
      scope,
      window,
      now: current.buckets,
      baseline: previous.buckets,
      nowP95Ms: current.p95Ms,
      baselineP95Ms: previous.p95Ms,
    },
  ];
  return { current: plain(current), previous: plain(previous), comparisons: detectRegressions(observations, s).comparisons };
}

const NOT_MEASURED = "not measured";
const rate = (x: number | null, n: number) => (x === null ? NOT_MEASURED : `${(x * 100).toFixed(1)}% (of ${n})`);
const money = (x: number | null) => (x === null ? NOT_MEASURED : usd(x));
const count = (n: number | undefined) => (n === undefined ? NOT_MEASURED : String(n));

/**
 * The comparison as rows of text (metric, current, previous), the same for the Markdown report,
 * the status page and the CLI; "not measured" wherever a side has no data, never a number that
 * reads as a pass. `why` says why there is nothing to compare when there is not.
 */
export function releaseRows(c: ReleaseComparison): { why: string | null; rows: [string, string, string][] } {
  const [cur, prev] = [c.current, c.previous];
  const why =
    cur === null
      ? "not measured: no judged conversation or webhook event in the period named a release"
      : prev === null
        ? `not measured: only release ${cur.release} in the period, no previous release to compare with`
        : null;
  if (cur === null) return { why, rows: [] };
  const both = (f: (s: ReleaseSide) => string): [string, string] => [f(cur), prev ? f(prev) : NOT_MEASURED];
  return {
    why,
    rows: [
      ["Release", ...both((s) => s.release)],
      ["Conversations judged", ...both((s) => count(s.conversations))],
      [
        "Langfuse version / prompt",
        ...both((s) => (s.conversations === 0 ? NOT_MEASURED : [...s.versions, ...s.prompts].join(", ") || "none named")),
      ],
      ["Fulfillment rate", ...both((s) => rate(s.fulfillmentRate, s.conversations))],
      ["Failure rate", ...both((s) => rate(s.failureRate, s.conversations))],
      ["Cost per conversation", ...both((s) => money(s.costPerConversationUsd))],
      ["Cost per fulfilled conversation", ...both((s) => money(s.costPerFulfilledUsd))],
      ["Webhook deliveries", ...both((s) => count(s.deliveries))],
      ["Error rate", ...both((s) => rate(s.errorRate, s.deliveries))],
      ["p95 response time", ...both((s) => (s.p95Ms === null ? NOT_MEASURED : `${s.p95Ms} ms (of ${s.replies})`))],
    ],
  };
}
