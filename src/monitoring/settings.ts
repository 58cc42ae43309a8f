import type { Env } from "../env.js";
import { judgePrice } from "../integrations/model-prices.js";
import { minCallMs } from "./deadline.js";

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

export interface MonitorSettings {
  taxonomy: string[];
  endMarkers: Set<string>;
  internalNames: Set<string>;
  internalTags: Set<string>;
  idleMs: number;
  overlapMs: number;
  initialLookbackMs: number;
  maxAttempts: number;
  sampleRate: number;
  concurrency: number;
  leaseMs: number;
  budgetMs: number;
  /** Sessions a cycle starts judging at most (seed 001's cost guard: 10). */
  maxSessionsPerCycle: number;
  maxTokensPerCycle: number;
  maxCostPerDayUsd: number;
  priceInPerToken: number;
  priceOutPerToken: number;
  transcriptMaxChars: number;
  diagnosesPerCycle: number;
  verifierDelayMs: number;
  langfuseTimeoutMs: number;
  modelTimeoutMs: number;
  /** Langfuse public-API requests a cycle may make (Cloud Hobby: 30 a minute). */
  langfuseRequestsPerMinute: number;
  /** The least time left with which a Langfuse or model call is still started. */
  minCallMs: number;
}

export function monitorSettings(env: Env): MonitorSettings {
  const taxonomy = list(env.INTENT_TAXONOMY);
  // A model without a price counts nothing against the daily cap (start-up says so); the token cap still holds.
  const price = judgePrice(env.JUDGE_MODEL, { inPerMTok: env.JUDGE_PRICE_INPUT_PER_MTOK, outPerMTok: env.JUDGE_PRICE_OUTPUT_PER_MTOK });
  return {
    taxonomy: taxonomy.includes("unknown") ? taxonomy : [...taxonomy, "unknown"],
    endMarkers: new Set(list(env.SESSION_END_MARKERS)),
    internalNames: new Set(list(env.INTERNAL_TRACE_NAMES)),
    internalTags: new Set(list(env.INTERNAL_TRACE_TAGS)),
    idleMs: env.SESSION_IDLE_MINUTES * 60_000,
    overlapMs: env.MONITOR_OVERLAP_MINUTES * 60_000,
    initialLookbackMs: env.MONITOR_INITIAL_LOOKBACK_HOURS * 3600_000,
    maxAttempts: env.MONITOR_MAX_ATTEMPTS,
    sampleRate: env.MONITOR_SAMPLE_RATE,
    concurrency: env.MONITOR_CONCURRENCY,
    leaseMs: env.CRON_MAX_DURATION_SECONDS * 1000,
    budgetMs: env.CRON_MAX_DURATION_SECONDS * 1000 * env.MONITOR_BUDGET_FRACTION,
    maxSessionsPerCycle: env.MONITOR_MAX_SESSIONS_PER_CYCLE,
    maxTokensPerCycle: env.JUDGE_MAX_TOKENS_PER_CYCLE,
    maxCostPerDayUsd: env.JUDGE_MAX_COST_PER_DAY_USD,
    priceInPerToken: (price?.inPerMTok ?? 0) / 1e6,
    priceOutPerToken: (price?.outPerMTok ?? 0) / 1e6,
    transcriptMaxChars: env.TRANSCRIPT_MAX_CHARS,
    diagnosesPerCycle: env.DIAGNOSES_PER_CYCLE,
    verifierDelayMs: env.VERIFIER_DELAY_MS,
    langfuseTimeoutMs: env.LANGFUSE_TIMEOUT_SECONDS * 1000,
    modelTimeoutMs: env.MODEL_TIMEOUT_SECONDS * 1000,
    langfuseRequestsPerMinute: env.LANGFUSE_REQUESTS_PER_MINUTE,
    minCallMs: minCallMs(env.CRON_MAX_DURATION_SECONDS * 1000 * env.MONITOR_BUDGET_FRACTION),
  };
}
