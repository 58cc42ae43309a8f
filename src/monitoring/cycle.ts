import { randomUUID } from "node:crypto";
import type { Deps } from "../deps.js";
import { UpstreamError } from "../errors.js";
import type { JobSummary } from "../jobs/types.js";
import { analyzeClaimed, type AnalysisContext } from "./analyze.js";
import { diagnoseFailures } from "./diagnose.js";
import { importObservations, type ImportSummary } from "./import.js";
import { claimSession, dueSessions } from "./queue.js";
import { dayOf, daySpend } from "./results.js";
import { unscoredResults, writeScores } from "./scores.js";
import { monitorSettings } from "./settings.js";
import { retryUnavailableChecks } from "./verification.js";
import { getState, setState } from "./state.js";

const hash01 = (key: string) => {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
};

/**
 * One monitor cycle: import from Langfuse, analyse finished sessions concurrently under the
 * model rate limit and the spend caps until the time budget is used, write scores back,
 * diagnose up to N failures one at a time. Outside services failing never fails the cycle:
 * what could not be done stays queued.
 */
export async function runMonitorCycle(deps: Deps, now: number): Promise<JobSummary> {
  const m = deps.monitoring;
  const notConfigured = [...(m?.source ? [] : ["langfuse"]), ...(m?.judge ? [] : ["judge model"])];
  if (!m?.source || !m.judge) return { notConfigured };
  const s = monitorSettings(deps.env);
  const started = performance.now();
  const deadline = Date.now() + s.budgetMs;
  const holder = randomUUID();
  const log = deps.log.child({ job: "monitor" });
  const ctx: AnalysisContext = { deps, judge: m.judge, limiter: m.limiter, settings: s, verifier: m.verifier, deadline };

  let imported: ImportSummary | undefined;
  let importError: string | undefined;
  const blockedUntil = Number((await getState(deps.db, "langfuse_blocked_until")) ?? 0);
  if (now < blockedUntil) {
    importError = `langfuse asked to wait until ${new Date(blockedUntil).toISOString()} (Retry-After)`;
  } else {
    try {
      imported = await importObservations(deps, m.source, s, now);
    } catch (error) {
      importError = error instanceof Error ? error.message : String(error);
      // A 429's Retry-After is honoured across cycles, not slept through inside one.
      if (error instanceof UpstreamError && error.retryAfterMs) await setState(deps.db, "langfuse_blocked_until", String(now + error.retryAfterMs), now);
      log.warn("langfuse import failed: will catch up next cycle", { reason: importError, retryable: error instanceof UpstreamError ? error.retryable : false });
    }
  }

  // Scores that could not be written earlier (Langfuse down) go first.
  let scoresWritten = 0;
  let scoreError: string | undefined;
  const writeScoresOf = async (resultId: number) => {
    if (scoreError) return;
    try {
      scoresWritten += await writeScores(deps.db, m.source!, resultId, deps.clock());
    } catch (error) {
      scoreError = error instanceof Error ? error.message : String(error);
      log.warn("score write-back failed: will retry next cycle", { reason: scoreError });
    }
  };
  if (!importError) for (const id of await unscoredResults(deps.db, 200)) await writeScoresOf(id);

  const counts = { pass: 0, fail: 0, partial: 0, skipped: 0, error: 0, retry: 0 };
  let tokens = 0;
  let costUsd = 0;
  let paused: string | undefined;
  const dailySpent = await daySpend(deps.db, dayOf(now));
  const overBudget = () => {
    if (tokens >= s.maxTokensPerCycle) return "tokens per cycle";
    if (dailySpent + costUsd >= s.maxCostPerDayUsd) return "cost per day";
    return undefined;
  };

  const queue = await dueSessions(deps.db, s, now, 5000);
  let next = 0;
  const worker = async () => {
    for (;;) {
      if (Date.now() >= deadline) return;
      const cap = overBudget();
      if (cap) {
        paused ??= cap;
        return;
      }
      const key = queue[next++];
      if (key === undefined) return;
      if (s.sampleRate < 1 && hash01(key) >= s.sampleRate) {
        await deps.db.execute({ sql: "UPDATE monitor_sessions SET state = 'skipped', last_error = 'sampled out', updated_at = ? WHERE session_key = ? AND state = 'pending'", args: [now, key] });
        continue;
      }
      const claim = await claimSession(deps.db, key, holder, deps.clock(), s.leaseMs);
      if (!claim) continue;
      const { outcome, usage, resultStored } = await analyzeClaimed(ctx, claim);
      counts[outcome]++;
      tokens += usage.tokensIn + usage.tokensOut;
      costUsd += usage.costUsd;
      if (resultStored && outcome !== "error") {
        const rs = await deps.db.execute({ sql: "SELECT id FROM monitoring_results WHERE session_id = ? AND activity_version = ?", args: [claim.sessionKey, claim.activityVersion] });
        if (rs.rows[0]) await writeScoresOf(Number(rs.rows[0].id));
      }
    }
  };
  await Promise.all(Array.from({ length: s.concurrency }, worker));

  if (paused) {
    await setState(deps.db, "judge_budget_exhausted_at", String(now), now);
    log.warn("judge budget exhausted: analysis paused", { cap: paused, tokens, cost_usd: costUsd, daily_cost_usd: dailySpent + costUsd });
  }
  // Before diagnosis, so a verdict the system of record now contradicts is diagnosed this cycle.
  const rechecked = await retryUnavailableChecks(ctx, now);
  const diagnosed = paused ? 0 : await diagnoseFailures(ctx, now, s.diagnosesPerCycle);
  const backlog = (await dueSessions(deps.db, s, deps.clock(), 100_000)).length;

  const summary: JobSummary = {
    imported: imported?.imported ?? 0,
    langfuse: imported ? { api: imported.api, requests: imported.requests, read: imported.read, internal: imported.internal } : { error: importError },
    sessionsChecked: counts.pass + counts.fail + counts.partial + counts.skipped + counts.error,
    passed: counts.pass,
    failed: counts.fail,
    partial: counts.partial,
    skipped: counts.skipped,
    errors: counts.error,
    retrying: counts.retry,
    diagnosed,
    verifierRetried: rechecked.retried,
    scoresWritten,
    backlog,
    tokens,
    costUsd: Math.round(costUsd * 1e6) / 1e6,
    durationMs: Math.round(performance.now() - started),
    ...(paused ? { paused: `judge budget: ${paused}` } : {}),
    ...(scoreError ? { scoreError } : {}),
  };
  return summary;
}
