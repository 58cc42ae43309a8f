import type { AlertContext } from "./context.js";
import { describeFinding } from "../regression/detect.js";
import { compareWithBaseline } from "../regression/evaluate.js";
import type { Rule } from "./rules.js";

/**
 * One alert per scope (a webhook source, or the conversations) with every metric that got
 * significantly worse than the bot's own baseline, each with baseline, now, effect size and p.
 * The rule's window is the recent window; the last 24 h are compared as well.
 */
export async function regressionCandidates(
  deps: AlertContext,
  now: number,
  rule: Rule,
): Promise<{ labels: Record<string, string>; summary: string }[]> {
  const settings = deps.settings.regression;
  const { findings } = await compareWithBaseline(deps.db, now, rule.windowMinutes, settings);
  const scopes = [...new Set(findings.map((f) => f.scope))];
  return scopes.map((scope) => {
    const mine = findings.filter((f) => f.scope === scope);
    return {
      labels: { scope },
      summary: `regression in ${[...new Set(mine.map((f) => f.metric))].join(" and ")} (${scope}): ${mine.map((f) => describeFinding(f, settings.baselineDays)).join("; ")}`,
    };
  });
}
