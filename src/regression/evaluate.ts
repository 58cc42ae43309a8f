import type { Db } from "../db/client.js";
import type { Env } from "../env.js";
import { detectRegressions, type Finding, type RegressionSettings } from "./detect.js";
import { observe } from "./observe.js";

export const regressionSettings = (
  env: Pick<Env, "REGRESSION_ALPHA" | "REGRESSION_MIN_SAMPLES" | "REGRESSION_MIN_RATIO" | "REGRESSION_BASELINE_DAYS">,
): RegressionSettings => ({
  alpha: env.REGRESSION_ALPHA,
  minSamples: env.REGRESSION_MIN_SAMPLES,
  minRatio: env.REGRESSION_MIN_RATIO,
  baselineDays: env.REGRESSION_BASELINE_DAYS,
});

/** The metrics significantly worse now (the last `windowMinutes`, and the last 24 h) than in the same hours of the baseline days. */
export async function findRegressions(db: Db, now: number, windowMinutes: number, s: RegressionSettings): Promise<Finding[]> {
  return detectRegressions(await observe(db, now, windowMinutes, s.baselineDays), s).findings;
}
