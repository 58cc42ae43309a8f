import type { RedFlag } from "../stability/red-flags.js";
import { describeFinding, type Finding } from "./detect.js";

/** A `regression` red flag per metric significantly worse than the baseline: a warning, as a trend is not an outage. */
export const regressionRedFlags = (findings: readonly Finding[], now: number, baselineDays: number): RedFlag[] =>
  findings.map((f) => ({ severity: "warning", kind: "regression", at: now, message: `regression: ${describeFinding(f, baselineDays)}` }));
