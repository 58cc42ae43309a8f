import type { DeliverySettings } from "./alerts/delivery-settings.js";
import type { EscalationSettings } from "./alerts/escalation.js";
import { defaultRules, type Rule } from "./alerts/rules.js";
import { readRulesSource, rulesFrom } from "./alerts/rules-source.js";
import type { Env } from "./env.js";
import { ConfigError } from "./errors.js";
import { judgePrice } from "./integrations/model-prices.js";
import type { Logger } from "./log.js";
import { minCallMs } from "./monitoring/deadline.js";
import type { MonitorSettings } from "./monitoring/settings.js";
import type { RegressionSettings } from "./regression/detect.js";
import type { RunSettings } from "./runs/settings.js";
import { sourceKey, splitSecrets } from "./security/signing-keys.js";
import type { SourceSettings } from "./stability/known-sources.js";
import type { StabilityThresholds } from "./stability/thresholds.js";

// The configuration, read once: each domain gets its typed settings in its context and never sees Env.

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

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

export const thresholdsFrom = (env: Env): StabilityThresholds => ({
  minSuccessRate: env.STABILITY_MIN_SUCCESS_RATE,
  maxErrorRate: env.STABILITY_MAX_ERROR_RATE,
  responseTimeMs: env.STABILITY_RESPONSE_TIME_MS,
  maxSignatureFailures: env.STABILITY_MAX_SIGNATURE_FAILURES,
  zeroDeliveryMinutes: env.ZERO_DELIVERY_MINUTES,
  unansweredMinutes: env.STABILITY_UNANSWERED_MINUTES,
  unansweredMinReceived: env.STABILITY_UNANSWERED_MIN_RECEIVED,
});

const regressionSettings = (env: Env): RegressionSettings => ({
  alpha: env.REGRESSION_ALPHA,
  minSamples: env.REGRESSION_MIN_SAMPLES,
  minRatio: env.REGRESSION_MIN_RATIO,
  baselineDays: env.REGRESSION_BASELINE_DAYS,
});

const runSettings = (env: Env): RunSettings => ({
  stallMs: env.STALL_MINUTES * 60_000,
  archiveMaxExecutions: env.RUN_ARCHIVE_MAX_EXECUTIONS,
});

const escalationSettings = (env: Env): EscalationSettings => ({
  afterMs: env.ALERT_ESCALATION_MINUTES * 60_000,
});

const deliverySettings = (env: Env): DeliverySettings => ({
  giveUpMs: env.NOTIFICATION_GIVE_UP_HOURS * 3600_000,
  statusUrl: env.VIGIL_PUBLIC_URL ? `${env.VIGIL_PUBLIC_URL.replace(/\/$/, "")}/status` : null,
});

/** Secrets split and source spellings listed once per configuration, not on every webhook. */
export const sourceSettings = (env: Env): SourceSettings => ({
  declared: env.declaredSources,
  spellings: new Map(splitSecrets(env.WEBHOOK_SOURCES ?? "").map((name) => [sourceKey(name), name])),
  secrets: {
    shared: { secrets: splitSecrets(env.WEBHOOK_SECRET ?? ""), shared: true },
    own: new Map(Object.entries(env.webhookSecretsBySource).map(([key, raw]) => [key, { secrets: splitSecrets(raw), shared: false }])),
  },
});

/**
 * The rules this deployment runs. Locally a bad source stops start-up (the developer is there to
 * read it); on a deployment it is one error line naming the source, and the built-in rules keep
 * alerting: a typo in a rules file must not take /api/health and every route down with it.
 */
export function rulesFromEnv(env: Env, log: Logger, deployed: boolean): Rule[] {
  const defaults = defaultRules({
    fulfillmentFailureRate: env.FULFILLMENT_FAILURE_RATE,
    costSpikeRatio: env.COST_SPIKE_RATIO,
    stability: thresholdsFrom(env),
  });
  try {
    return rulesFrom(readRulesSource(env), defaults);
  } catch (error) {
    if (!(error instanceof ConfigError) || !deployed) throw error;
    log.error("alert rules not loaded: the built-in rules apply", { reason: error.message });
    return defaults;
  }
}

/** Every domain's settings, built once per instance by depsFromEnv. */
export function settingsFromEnv(env: Env) {
  return {
    monitor: monitorSettings(env),
    stability: thresholdsFrom(env),
    regression: regressionSettings(env),
    runs: runSettings(env),
    escalation: escalationSettings(env),
    delivery: deliverySettings(env),
    cost: { spikeRatio: env.COST_SPIKE_RATIO },
    webhooks: {
      sources: sourceSettings(env),
      toleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS,
      replayWindowDays: env.WEBHOOK_REPLAY_WINDOW_DAYS,
      maxBytes: env.WEBHOOK_MAX_BYTES,
      rateLimitPerMinute: env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
      rollupCatchUpEvery: env.ROLLUP_CATCH_UP_EVERY,
    },
    retention: {
      eventDays: env.RETENTION_DAYS,
      replayWindowDays: env.WEBHOOK_REPLAY_WINDOW_DAYS,
      runDays: env.RUN_RETENTION_DAYS,
      archiveDays: env.ARCHIVE_RETENTION_DAYS,
    },
    jobs: { schedules: env.schedules, leaseMs: env.CRON_MAX_DURATION_SECONDS * 1000 },
    http: {
      apiKey: env.VIGIL_API_KEY,
      cronSecret: env.CRON_SECRET,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE,
      statusPage: env.STATUS_PAGE,
      heartbeatStaleSeconds: env.HEARTBEAT_STALE_SECONDS,
    },
  };
}
