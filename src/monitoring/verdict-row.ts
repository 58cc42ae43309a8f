// The shapes a verdict is stored in, below the modules that write it (results.ts, the
// system-of-record check, the seed import) and the store that holds its SQL.
import type { VerifierFacts, VerifierStatus } from "../integrations/system-of-record.js";
import type { Fulfillment, Intent } from "./prompts.js";

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

/** A verdict's system-of-record check as stored: the facts are kept so a later cycle can ask again. */
export interface VerifierRecord {
  status: VerifierStatus;
  detail: string;
  facts: VerifierFacts;
  attempts: number;
  /** When an unavailable check is asked again; null when it will not be. */
  retryAt: number | null;
}

/** A verdict of seed 001's monitoring.db, moved in as version 1 of its session. */
export interface SeedVerdict {
  sessionId: string;
  intentType: string | null;
  intentConfidence: number | null;
  status: "pass" | "fail" | "partial" | "error" | "skipped";
  summary: string | null;
  diagnosticStatus: "pending" | "complete" | "error" | null;
  diagnosticReportJson: string | null;
  analyzedAt: number;
  diagnosedAt: number | null;
}
