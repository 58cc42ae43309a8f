import { readAll } from "../db/query.js";
import type { Deps } from "../deps.js";
import { conversationCostSamples } from "../monitoring/store/results.js";
import { describeFinding, detectRegressions } from "../regression/detect.js";
import { regressionSettings } from "../regression/evaluate.js";
import type { Rule } from "./rules.js";

const MIN = 60_000;

/**
 * A cost spike: the bot's cost per conversation over the rule's window against the same hours of
 * the baseline days, when it is at least `threshold` times the baseline and significantly higher
 * (one-sided Mann-Whitney at the regression α, with its minimum samples on both sides, so a few
 * long conversations never page). The text gives baseline, now, effect size and p.
 */
export async function costSpikeCandidates(
  deps: Deps,
  now: number,
  rule: Rule,
): Promise<{ labels: Record<string, string>; summary: string }[]> {
  const s = regressionSettings(deps.env);
  const from = now - rule.windowMinutes * MIN;
  const [recent, baseline] = await readAll(deps.db, [
    conversationCostSamples(from, now + 1),
    conversationCostSamples(from, now + 1, s.baselineDays),
  ]);
  const window = rule.windowMinutes % 60 === 0 ? `${rule.windowMinutes / 60} h` : `${rule.windowMinutes} min`;
  const { findings } = detectRegressions(
    [{ kind: "cost", metric: "cost per conversation", scope: "conversations", window, now: recent, baseline }],
    { ...s, minRatio: rule.threshold ?? deps.env.COST_SPIKE_RATIO },
  );
  return findings.map((f) => ({ labels: { scope: f.scope }, summary: `cost spike: ${describeFinding(f, s.baselineDays)}` }));
}
