import type { InStatement } from "@libsql/client";
import { guarded, whenChanged } from "../db/guarded-batch.js";
import type { Fulfillment, Intent } from "./prompts.js";
import { finishClaim, type ClaimedSession, type ClaimOutcome } from "./store/sessions.js";
import { spendUpsert, dayOf } from "./store/spend.js";
import type { VerifierRecord } from "./verification.js";
import { hourlyCount } from "./store/hourly.js";
import { resultInsert } from "./store/results.js";

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
 * The writes that end an analysed claim: the verdict and its hourly count only if the claim still
 * held (a takeover's verdict stands alone), the spend always, since the model calls were made.
 * The claim's own result comes first.
 */
export function storeVerdict(claim: ClaimedSession, outcome: ClaimOutcome, row: ResultRow, usage: Usage, now: number): InStatement[] {
  return [
    ...guarded(
      finishClaim(claim, outcome, now),
      whenChanged(resultInsert(row), hourlyCount(row.analyzedAt, row.intent?.intent, row.status)),
    ),
    spendUpsert(dayOf(now), usage),
  ];
}
