import type { Db } from "../db/client.js";
import { type Comparison, detectRegressions, type Finding, type RegressionSettings } from "./detect.js";
import { observe } from "./observe.js";

/**
 * Every tested metric over the last `windowMinutes` and the last 24 h against the same hours of
 * the baseline days, and those significantly worse (the findings).
 */
export async function compareWithBaseline(
  db: Db,
  now: number,
  windowMinutes: number,
  s: RegressionSettings,
): Promise<{ comparisons: Comparison[]; findings: Finding[] }> {
  return detectRegressions(await observe(db, now, windowMinutes, s.baselineDays), s);
}
