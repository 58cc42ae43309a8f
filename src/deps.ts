import { getDeadline } from "@vercel/functions";
import { channelsFromEnv } from "./alerts/channels/registry.js";
import { createDb } from "./db/client.js";
import { coalesceReads } from "./db/read-batch.js";
import { isProduction, type Env } from "./env.js";
import { createLocalCallLimiter, createSharedCallLimiter } from "./integrations/call-limiter.js";
import { createOpenAIJudge, type JudgeModel } from "./integrations/judge.js";
import { createLangfuseSource } from "./integrations/langfuse.js";
import { createLangfuseLinks } from "./integrations/langfuse-links.js";
import { createUpstashRateLimiter } from "./integrations/rate-limiter.js";
import { createHttpVerifier } from "./integrations/system-of-record.js";
import type { AppContext } from "./http/context.js";
import { createLogger, type Logger } from "./log.js";
import type { MonitoringServices } from "./monitoring/context.js";
import { rulesFromEnv, settingsFromEnv } from "./settings.js";

/**
 * Everything outside the process and the settings, built once per instance and passed into
 * createApp and the jobs so tests can swap it. Each domain takes only its own narrow context
 * (MonitorContext, AlertContext, ReportContext…); this is their union, and the one place that
 * reads Env.
 */
export type Deps = AppContext;

function monitoringFromEnv(env: Env, log: Logger, clock: () => number): MonitoringServices {
  const shared =
    env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN
      ? createUpstashRateLimiter({
          url: env.UPSTASH_REDIS_REST_URL,
          token: env.UPSTASH_REDIS_REST_TOKEN,
          perMinute: env.MODEL_CALLS_PER_MINUTE,
          prefix: "vigil:model",
          windowSeconds: 61,
          log,
          clock,
        })
      : undefined;
  return {
    source:
      env.LANGFUSE_PUBLIC_KEY && env.LANGFUSE_SECRET_KEY
        ? createLangfuseSource({
            publicKey: env.LANGFUSE_PUBLIC_KEY,
            secretKey: env.LANGFUSE_SECRET_KEY,
            baseUrl: env.LANGFUSE_BASE_URL,
            timeoutSeconds: env.LANGFUSE_TIMEOUT_SECONDS,
          })
        : undefined,
    judge: env.OPENAI_API_KEY ? judgeFromEnv(env, env.OPENAI_API_KEY) : undefined,
    limiter: shared ? createSharedCallLimiter(shared, "judge") : createLocalCallLimiter(env.MODEL_CALLS_PER_MINUTE),
    verifier: env.VERIFIER_URL ? createHttpVerifier(env.VERIFIER_URL, env.VERIFIER_DELAY_MS) : undefined,
    links:
      env.LANGFUSE_PUBLIC_KEY && env.LANGFUSE_SECRET_KEY
        ? createLangfuseLinks({
            baseUrl: env.LANGFUSE_BASE_URL,
            publicKey: env.LANGFUSE_PUBLIC_KEY,
            secretKey: env.LANGFUSE_SECRET_KEY,
            timeoutMs: env.LANGFUSE_TIMEOUT_SECONDS * 1000,
            log,
            clock,
          })
        : undefined,
  };
}

export function depsFromEnv(env: Env, overrides: Partial<Deps> = {}): Deps {
  const log = overrides.log ?? createLogger({ level: env.LOG_LEVEL });
  const clock = overrides.clock ?? Date.now;
  return {
    settings: overrides.settings ?? settingsFromEnv(env),
    db: coalesceReads(
      overrides.db ??
        createDb({
          url: env.TURSO_DATABASE_URL,
          authToken: env.TURSO_AUTH_TOKEN,
          busyTimeoutMs: env.DB_BUSY_TIMEOUT_MS,
          syncUrl: env.TURSO_SYNC_URL,
          syncIntervalSeconds: env.TURSO_SYNC_INTERVAL_SECONDS,
        }),
    ),
    log,
    clock,
    functionDeadline: overrides.functionDeadline ?? (() => getDeadline()?.getTime()),
    webhookRateLimiter:
      "webhookRateLimiter" in overrides
        ? overrides.webhookRateLimiter
        : env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN
          ? createUpstashRateLimiter({
              url: env.UPSTASH_REDIS_REST_URL,
              token: env.UPSTASH_REDIS_REST_TOKEN,
              perMinute: env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
              prefix: "vigil:webhooks",
              log,
              clock,
            })
          : undefined,
    monitoring: "monitoring" in overrides ? overrides.monitoring : monitoringFromEnv(env, log, clock),
    alerts: overrides.alerts ?? {
      rules: rulesFromEnv(env, log, isProduction(env)),
      channels: channelsFromEnv(env, { log, clock }),
    },
  };
}

/** The judge the configuration describes (OPENAI_BASE_URL, JUDGE_*), for the app and `npm run eval`. */
export const judgeFromEnv = (env: Env, apiKey: string): JudgeModel =>
  createOpenAIJudge({
    apiKey,
    baseURL: env.OPENAI_BASE_URL,
    model: env.JUDGE_MODEL,
    timeoutSeconds: env.MODEL_TIMEOUT_SECONDS,
    temperature: env.JUDGE_TEMPERATURE,
    responseFormat: env.JUDGE_RESPONSE_FORMAT,
    maxCompletionTokens: env.JUDGE_MAX_COMPLETION_TOKENS,
    reasoningEffort: env.JUDGE_REASONING_EFFORT,
  });
