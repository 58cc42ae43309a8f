import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import { guarded, whenChanged, type Conditional } from "../db/guarded-batch.js";
import type { Fulfillment, Intent } from "./prompts.js";
import { finishClaim, type ClaimedSession, type ClaimOutcome } from "./queue.js";
import { verifierJson, type VerifierRecord } from "./verification.js";

export interface Usage {
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  model: string | null;
}

export interface ResultRow {
  sessionId: string;
  activityVersion: number;
  status: "pass" | "fail" | "partial" | "error" | "skipped";
  intent?: Intent;
  fulfillment?: Fulfillment;
  verifier?: VerifierRecord | null;
  usage: Usage;
  attempts: number;
  error?: string;
  analyzedAt: number;
  /** The judged observations' Langfuse environment. */
  environment?: string | null;
  /** The judged conversation's Langfuse release, version and prompt. */
  release?: string | null;
  releaseVersion?: string | null;
  prompt?: string | null;
}

/**
 * One verdict per session version; conditional, so it only lands if the claim that made it still held.
 * It keeps what the conversation cost the bot: the sum of its observations' Langfuse cost, NULL
 * (not measured) when none had one. `cost_usd` is the judge's spend on it, never added in.
 */
export function resultInsert(r: ResultRow): Conditional {
  return (when) => ({
    sql: `INSERT INTO monitoring_results (session_id, activity_version, intent_type, intent_confidence, intent_summary, verification_status,
            verdict_summary, evidence, unmet, quality_flags, verifier, verifier_status, verifier_attempts, verifier_retry_at,
            analyzed_at, model, tokens_in, tokens_out, cost_usd, attempts, error, environment, release, release_version, prompt,
            conversation_cost_usd)
          SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
            (SELECT SUM(cost_usd) FROM monitored_observations WHERE session_key = ?) WHERE ${when}
          ON CONFLICT (session_id, activity_version) DO NOTHING`,
    args: [
      r.sessionId,
      r.activityVersion,
      r.intent?.intent ?? null,
      r.intent?.confidence ?? null,
      r.intent?.summary ?? null,
      r.status,
      r.fulfillment?.summary ?? (r.status === "skipped" ? "intent unclear: not verified" : null),
      r.fulfillment ? JSON.stringify(r.fulfillment.evidence) : null,
      r.fulfillment ? JSON.stringify(r.fulfillment.unmet) : null,
      r.fulfillment ? JSON.stringify(r.fulfillment.quality) : null,
      r.verifier ? verifierJson(r.verifier) : null,
      r.verifier?.status ?? null,
      r.verifier?.attempts ?? 0,
      r.verifier?.retryAt ?? null,
      r.analyzedAt,
      r.usage.model,
      r.usage.tokensIn,
      r.usage.tokensOut,
      r.usage.costUsd,
      r.attempts,
      r.error ?? null,
      r.environment ?? null,
      r.release ?? null,
      r.releaseVersion ?? null,
      r.prompt ?? null,
      r.sessionId,
    ],
  });
}

/** Counts a verdict in its hour; a dependent of resultInsert, so it only counts a verdict that was inserted. */
function hourlyCount(r: ResultRow): Conditional {
  return (when) => ({
    sql: `INSERT INTO monitoring_hourly (hour, intent, status, n) SELECT ?, ?, ?, 1 WHERE ${when}
          ON CONFLICT (hour, intent, status) DO UPDATE SET n = n + 1`,
    args: [Math.floor(r.analyzedAt / 3600_000) * 3600_000, r.intent?.intent ?? "none", r.status],
  });
}

/**
 * The writes that end an analysed claim: the verdict and its hourly count only if the claim still
 * held (a takeover's verdict stands alone), the spend always, since the model calls were made.
 * The claim's own result comes first.
 */
export function storeVerdict(claim: ClaimedSession, outcome: ClaimOutcome, row: ResultRow, usage: Usage, now: number): InStatement[] {
  return [...guarded(finishClaim(claim, outcome, now), whenChanged(resultInsert(row), hourlyCount(row))), spendUpsert(dayOf(now), usage)];
}

export function spendUpsert(day: string, usage: Usage): InStatement {
  return {
    sql: `INSERT INTO judge_spend (day, tokens, cost_usd) VALUES (?, ?, ?)
          ON CONFLICT (day) DO UPDATE SET tokens = tokens + excluded.tokens, cost_usd = cost_usd + excluded.cost_usd`,
    args: [day, usage.tokensIn + usage.tokensOut, usage.costUsd],
  };
}

export async function daySpend(db: Db, day: string): Promise<number> {
  const rs = await db.execute({ sql: "SELECT cost_usd FROM judge_spend WHERE day = ?", args: [day] });
  return Number(rs.rows[0]?.cost_usd ?? 0);
}

export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
