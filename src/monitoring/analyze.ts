import type { AnalysisContext, MonitorContext } from "./context.js";
import { errorMessage, UpstreamError } from "../errors.js";
import { JudgeSchemaError, type JudgeRequest } from "../integrations/judge.js";
import type { z } from "zod";
import { releaseClaim, retryClaim, type ClaimedSession } from "./store/sessions.js";
import { storeVerdict } from "./results.js";
import type { ResultRow, Usage, VerifierRecord } from "./verdict-row.js";
import { dayOf, spendUpsert } from "./store/spend.js";
import type { MonitorSettings } from "./settings.js";
import type { Transcript } from "./transcript.js";
import { loadTranscript as loadBoundedTranscript } from "./transcript-load.js";
import { callWindow, retryDelayMs } from "./deadline.js";
import { judgeTranscript, UNREADABLE } from "./judging.js";
import { contradicts, factsOf, recordOf, unmetReason } from "./system-of-record-check.js";

/** A permanent error: the session is not analysed again. */
class AttemptsExhaustedError extends Error {}

export type AnalysisOutcome = "pass" | "fail" | "partial" | "skipped" | "error" | "retry" | "released";

/** No time left in this invocation for one more model call: the session goes back untouched. */
export class OutOfTimeError extends Error {
  constructor() {
    super("no time left in this invocation for a model call");
    this.name = "OutOfTimeError";
  }
}

export const loadTranscript = (deps: Pick<MonitorContext, "db">, sessionKey: string, maxChars: number): Promise<Transcript> =>
  loadBoundedTranscript(deps.db, sessionKey, maxChars);

/** Counts an unreadable session and logs each new shape once a cycle: its keys, never its content. */
function noteUnreadable(ctx: AnalysisContext, shapes: string[], log: MonitorContext["log"]) {
  ctx.unreadable.sessions++;
  const fresh = shapes.filter((shape) => !ctx.unreadable.shapes.has(shape));
  for (const shape of fresh) ctx.unreadable.shapes.add(shape);
  if (fresh.length > 0) log.warn("transcript shape not readable: session skipped, not judged", { reason: UNREADABLE, shapes: fresh });
}

/** A metered model call: waits for the shared rate limit, counts tokens and cost. */
export function meteredAsk(ctx: AnalysisContext, usage: Usage) {
  return async <S extends z.ZodType>(request: JudgeRequest<S>): Promise<z.infer<S>> => {
    const clock = ctx.deps.clock;
    const window = () => callWindow(clock(), ctx.deadline, ctx.settings.modelTimeoutMs, ctx.settings.minCallMs);
    if (!window()) throw new OutOfTimeError();
    if (!(await ctx.limiter.acquire(ctx.deadline - clock() - Math.min(ctx.settings.modelTimeoutMs, ctx.settings.minCallMs))))
      throw new UpstreamError("model rate limit: no call slot before the cycle's time budget", true);
    const timeoutMs = window();
    if (!timeoutMs) throw new OutOfTimeError();
    try {
      const answer = await ctx.judge.ask(request, { timeoutMs });
      addUsage(ctx.settings, usage, answer.tokensIn, answer.tokensOut);
      usage.model = answer.model;
      return answer.value;
    } catch (error) {
      // A reply that failed its schema was still billed.
      const billed = error as { tokensIn?: number; tokensOut?: number; model?: string };
      if (error instanceof JudgeSchemaError || billed.tokensIn) addUsage(ctx.settings, usage, billed.tokensIn ?? 0, billed.tokensOut ?? 0);
      throw error;
    }
  };
}

function addUsage(s: MonitorSettings, usage: Usage, tokensIn: number, tokensOut: number) {
  usage.tokensIn += tokensIn;
  usage.tokensOut += tokensOut;
  usage.costUsd += tokensIn * s.priceInPerToken + tokensOut * s.priceOutPerToken;
}

/**
 * Analyses one claimed session: intent, then fulfillment (and the optional system-of-record
 * check), then stores the verdict together with the end of the claim. Transient failures give
 * the claim back for a later cycle; a reply that breaks its schema twice is an error at once.
 */
export async function analyzeClaimed(
  ctx: AnalysisContext,
  claim: ClaimedSession,
): Promise<{ outcome: AnalysisOutcome; usage: Usage; resultStored: boolean }> {
  const { deps, settings: s } = ctx;
  const usage: Usage = { tokensIn: 0, tokensOut: 0, costUsd: 0, model: null };
  const ask = meteredAsk(ctx, usage);
  const log = deps.log.child({ job: "monitor", session_id: claim.sessionKey });
  const started = performance.now();
  const base: Pick<
    ResultRow,
    "sessionId" | "activityVersion" | "attempts" | "usage" | "environment" | "release" | "releaseVersion" | "prompt"
  > = {
    sessionId: claim.sessionKey,
    activityVersion: claim.activityVersion,
    attempts: claim.attempts,
    usage,
  };

  let row: ResultRow;
  try {
    // Only a takeover gets here: the earlier attempts never finished (the invocation died on them).
    if (claim.attempts > s.maxAttempts)
      throw new AttemptsExhaustedError(`gave up after ${claim.attempts - 1} attempts: the analysis never finished (its invocation ended)`);
    const transcript = await loadTranscript(deps, claim.sessionKey, s.transcriptMaxChars);
    base.environment = transcript.environment;
    base.release = transcript.release;
    base.releaseVersion = transcript.version;
    base.prompt = transcript.prompt;
    const judged = await judgeTranscript(ask, transcript, s.taxonomy);
    if (judged.status === "skipped") {
      if (judged.reason?.startsWith(UNREADABLE)) noteUnreadable(ctx, transcript.unreadable, log);
      row = {
        ...base,
        status: "skipped",
        ...(judged.intent ? { intent: judged.intent } : { error: judged.reason }),
        analyzedAt: deps.clock(),
      };
    } else {
      const { intent, fulfillment } = judged;
      // Only a verdict the bot could have faked is checked: a failure cannot get worse.
      let verifier: VerifierRecord | null = null;
      if (ctx.verifier && judged.status !== "fail") {
        const facts = factsOf(fulfillment);
        verifier = recordOf(
          await ctx.verifier.verify({ sessionId: claim.sessionKey, intent: intent.intent, facts }),
          facts,
          1,
          deps.clock(),
          s.maxAttempts,
        );
        if (verifier.status === "unavailable")
          log.warn("system-of-record check unavailable: verdict kept as judged", {
            reason: verifier.detail,
            retry: verifier.retryAt !== null,
          });
      }
      const contradicted = contradicts(verifier, judged.status);
      if (contradicted) fulfillment.unmet.push(unmetReason(verifier!));
      const status = contradicted ? "fail" : judged.status;
      if (fulfillment.quality.prompt_injection) log.warn("caller text imitates roles or instructs the evaluator", { status });
      row = { ...base, status, intent, fulfillment, verifier, analyzedAt: deps.clock() };
    }
  } catch (error) {
    if (error instanceof OutOfTimeError) {
      await deps.db.batch([releaseClaim(claim, deps.clock()), spendUpsert(dayOf(deps.clock()), usage)], "write");
      return { outcome: "released", usage, resultStored: false };
    }
    const reason = errorMessage(error);
    const transient = error instanceof UpstreamError && error.retryable;
    if (transient && claim.attempts < s.maxAttempts) {
      const backoff = Math.max(error.retryAfterMs ?? 0, retryDelayMs(claim.attempts));
      await deps.db.batch(
        [retryClaim(claim, deps.clock() + backoff, reason, deps.clock(), s.maxAttempts), spendUpsert(dayOf(deps.clock()), usage)],
        "write",
      );
      log.warn("session analysis will be retried", { attempt: claim.attempts, reason, retry_in_ms: backoff });
      return { outcome: "retry", usage, resultStored: false };
    }
    row = {
      ...base,
      status: "error",
      analyzedAt: deps.clock(),
      error: transient ? `gave up after ${claim.attempts} attempts: ${reason}` : reason,
    };
  }

  const outcome = row.status === "error" ? "error" : row.status === "skipped" ? "skipped" : "analyzed";
  const [claimEnd] = await deps.db.batch(storeVerdict(claim, outcome, row, usage, deps.clock()), "write");
  const stored = claimEnd!.rowsAffected === 1;
  const fields = {
    status: row.status,
    intent: row.intent?.intent ?? null,
    duration_ms: Math.round(performance.now() - started),
    tokens: usage.tokensIn + usage.tokensOut,
  };
  if (!stored) log.warn("claim lost before the verdict was stored: discarded", fields);
  else if (row.status === "error") log.error("session analysis failed", { ...fields, reason: row.error });
  else log.info("session analysed", fields);
  return { outcome: row.status, usage, resultStored: stored };
}
