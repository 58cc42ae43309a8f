import type { RedFlag } from "../stability/red-flags.js";
import { type Comparison, describeFinding, type Finding, formatP } from "./detect.js";

/** A `regression` red flag per metric significantly worse than the baseline: a warning, as a trend is not an outage. */
export const regressionRedFlags = (findings: readonly Finding[], now: number, baselineDays: number): RedFlag[] =>
  findings.map((f) => ({ severity: "warning", kind: "regression", at: now, message: `regression: ${describeFinding(f, baselineDays)}` }));

/** A `regression` red flag per metric significantly worse in the current release than in the previous one. */
export const releaseRedFlags = (comparisons: readonly Comparison[], now: number): RedFlag[] =>
  comparisons
    .filter((c) => c.regression)
    .map((c) => ({
      severity: "warning",
      kind: "regression",
      at: now,
      message: `regression: ${c.metric} (${c.scope}): now ${c.now} vs ${c.baseline} — ${c.effect}, p = ${formatP(c.p)}`,
    }));
