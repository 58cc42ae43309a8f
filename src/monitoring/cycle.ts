import { randomUUID } from "node:crypto";
import type { AnalysisContext, MonitorContext } from "./context.js";
import type { RequestGate } from "../integrations/langfuse.js";
import type { JobSummary } from "../job-records/names.js";
import { analyzeClaimed } from "./analyze.js";
import { callWindow, cycleDeadline } from "./deadline.js";
import { diagnoseFailures } from "./diagnose.js";
import { importObservations, settledMark, type ImportSummary } from "./import.js";
import { claimSession, dueSessions, skipSampledOut } from "./store/sessions.js";
import { dayOf, daySpend } from "./store/spend.js";
import { flushScores, type ScoreFlush } from "./scores.js";
import { retryUnavailableChecks } from "./system-of-record-check.js";
import { getState, setState } from "./store/state.js";
import { errorMessage } from "../errors.js";

const hash01 = (key: string) => {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
};

// Langfuse requests kept back from the import for score writes (one batch each).
const SCORE_REQUEST_RESERVE = 3;

/**
 * One monitor cycle: import from Langfuse in oldest-first slices, analyse finished sessions
 * concurrently under the model rate limit and the spend caps, write scores back in batches,
 * diagnose up to N failures one at a time. Nothing starts that cannot finish before the cycle's
 * deadline (its own budget, or the function's, whichever comes first). Outside services
 * failing never fails the cycle: what could not be done stays queued and is visible.
 */
export async function runMonitorCycle(deps: MonitorContext, now: number): Promise<JobSummary> {
  const m = deps.monitoring;
  const notConfigured = [...(m?.source ? [] : ["langfuse"]), ...(m?.judge ? [] : ["judge model"])];
  if (!m?.source || !m.judge) return { notConfigured };
  const s = deps.settings.monitor;
  const clock = deps.clock;
  const started = clock();
  const startedPerf = performance.now();
  const deadline = cycleDeadline(s, started, deps.functionDeadline?.());
  const holder = randomUUID();
  const log = deps.log.child({ job: "monitor" });
  // Score writes must still fit after the analyses: those stop that much earlier.
  const scoreReserve = Math.min(s.langfuseTimeoutMs, s.minCallMs);
  const ctx: AnalysisContext = {
    deps,
    judge: m.judge,
    limiter: m.limiter,
    settings: s,
    verifier: m.verifier,
    deadline: deadline - scoreReserve,
    unreadable: { sessions: 0, shapes: new Set() },
  };

  // Langfuse allows N requests a minute: the import takes all but a few, the score writes the rest.
  let langfuseLeft = s.langfuseRequestsPerMinute;
  let importLeft = Math.max(1, langfuseLeft - SCORE_REQUEST_RESERVE);
  const take = (ms: number, forImport: boolean) => {
    if (!ms || langfuseLeft <= 0 || (forImport && importLeft <= 0)) return 0;
    langfuseLeft--;
    if (forImport) importLeft--;
    return ms;
  };
  const importGate: RequestGate = () => take(callWindow(clock(), ctx.deadline, s.langfuseTimeoutMs, s.minCallMs), true);
  const scoreGate: RequestGate = () => take(callWindow(clock(), deadline, s.langfuseTimeoutMs, s.minCallMs), false);

  let imported: ImportSummary | undefined;
  let importError: string | undefined;
  const blockedUntil = Number((await getState(deps.db, "langfuse_blocked_until")) ?? 0);
  if (now < blockedUntil) {
    importError = `langfuse asked to wait until ${new Date(blockedUntil).toISOString()} (Retry-After)`;
  } else {
    imported = await importObservations(deps, m.source, s, now, importGate);
    if (imported.error) {
      importError = imported.error;
      // A 429's Retry-After is honoured across cycles, not slept through inside one.
      if (imported.retryAfterMs) await setState(deps.db, "langfuse_blocked_until", String(now + imported.retryAfterMs), now);
      log.warn("langfuse import failed: will go on from the watermark next cycle", { reason: importError, slices: imported.slices });
    } else if (!imported.caughtUp) {
      log.warn("langfuse import behind: will go on next cycle", { lag_ms: imported.lagMs, requests: imported.requests });
    }
  }

  const counts = { pass: 0, fail: 0, partial: 0, skipped: 0, error: 0, retry: 0 };
  let tokens = 0;
  let costUsd = 0;
  let claimed = 0;
  let paused: string | undefined;
  const dailySpent = await daySpend(deps.db, dayOf(now));
  const overBudget = () => {
    if (claimed >= s.maxSessionsPerCycle) return "sessions per cycle";
    if (tokens >= s.maxTokensPerCycle) return "tokens per cycle";
    if (dailySpent + costUsd >= s.maxCostPerDayUsd) return "cost per day";
    return undefined;
  };

  const settled = await settledMark(deps.db);
  const queue = await dueSessions(deps.db, s, now, 5000, settled);
  let next = 0;
  const worker = async () => {
    for (;;) {
      // A session is only started when a model call can still start and end in time.
      if (!callWindow(clock(), ctx.deadline, s.modelTimeoutMs, s.minCallMs)) return;
      if (queue[next] === undefined) return;
      const cap = overBudget();
      if (cap) {
        paused ??= cap;
        return;
      }
      const key = queue[next++]!;
      // Counted before the first await, so concurrent workers never pass the session cap together.
      claimed++;
      if (s.sampleRate < 1 && hash01(key) >= s.sampleRate) {
        claimed--;
        await deps.db.execute(skipSampledOut(key, now));
        continue;
      }
      const claim = await claimSession(deps.db, key, holder, clock(), s.leaseMs);
      if (!claim) {
        claimed--;
        continue;
      }
      const { outcome, usage } = await analyzeClaimed(ctx, claim);
      if (outcome !== "released") counts[outcome]++;
      tokens += usage.tokensIn + usage.tokensOut;
      costUsd += usage.costUsd;
    }
  };
  await Promise.all(Array.from({ length: s.concurrency }, worker));

  // The session count is the seed's steady throttle, not a spend alarm: it pauses without alerting.
  if (paused && paused !== "sessions per cycle") await setState(deps.db, "judge_budget_exhausted_at", String(now), now);
  if (paused)
    log.warn("judge budget exhausted: analysis paused", {
      cap: paused,
      sessions: claimed,
      tokens,
      cost_usd: costUsd,
      daily_cost_usd: dailySpent + costUsd,
    });
  // Before diagnosis, so a verdict the system of record now contradicts is diagnosed this cycle.
  const rechecked = await retryUnavailableChecks(ctx, now);
  const diagnosed = paused ? 0 : await diagnoseFailures(ctx, now, s.diagnosesPerCycle);

  // Scores of this cycle's verdicts and of earlier ones Langfuse did not take, in one pass.
  let scores: ScoreFlush = { written: 0, failed: 0, refused: 0, reasons: [] };
  let scoreError: string | undefined;
  if (!importError || imported?.slices) {
    try {
      scores = await flushScores(deps.db, m.source, scoreGate, clock());
      if (scores.refused)
        log.warn("langfuse refused scores: kept with the reason, not sent again", { refused: scores.refused, reasons: scores.reasons });
    } catch (error) {
      scoreError = errorMessage(error);
      log.warn("score write-back failed: will retry next cycle", { reason: scoreError });
    }
  }
  const backlog = (await dueSessions(deps.db, s, clock(), 100_000, settled)).length;

  return {
    imported: imported?.imported ?? 0,
    langfuse: imported
      ? {
          api: imported.api,
          requests: imported.requests,
          read: imported.read,
          internal: imported.internal,
          bounded: imported.bounded,
          poisoned: imported.poisoned,
          narrowed: imported.narrowed,
          slices: imported.slices,
          caughtUp: imported.caughtUp,
          watermark: imported.watermark,
          settled: imported.settled,
          lagMs: imported.lagMs,
          ...(importError ? { error: importError } : {}),
        }
      : { error: importError },
    sessionsChecked: counts.pass + counts.fail + counts.partial + counts.skipped + counts.error,
    passed: counts.pass,
    failed: counts.fail,
    partial: counts.partial,
    skipped: counts.skipped,
    ...(ctx.unreadable.sessions ? { unreadable: { sessions: ctx.unreadable.sessions, shapes: [...ctx.unreadable.shapes] } } : {}),
    errors: counts.error,
    retrying: counts.retry,
    diagnosed,
    verifierRetried: rechecked.retried,
    scoresWritten: scores.written,
    ...(scores.failed ? { scoresPending: scores.failed } : {}),
    ...(scores.refused ? { scoresRefused: scores.refused } : {}),
    ...(scores.failed || scores.refused ? { scoreReasons: scores.reasons } : {}),
    backlog,
    tokens,
    costUsd: Math.round(costUsd * 1e6) / 1e6,
    durationMs: Math.round(performance.now() - startedPerf),
    ...(paused ? { paused: `judge budget: ${paused}` } : {}),
    ...(scoreError ? { scoreError } : {}),
  };
}
