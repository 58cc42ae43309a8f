import { getDeadline } from "@vercel/functions";
import { channelsFromEnv } from "./alerts/channels/registry.js";
import type { Sender } from "./alerts/channels/sender.js";
import type { Channel, Rule } from "./alerts/rules.js";
import { rulesFromEnv } from "./alerts/rules-source.js";
import { createDb, type Db } from "./db/client.js";
import { coalesceReads } from "./db/read-batch.js";
import { isProduction, type Env } from "./env.js";
import { createLocalCallLimiter, createSharedCallLimiter, type CallLimiter } from "./integrations/call-limiter.js";
import { judgeFromEnv, type JudgeModel } from "./integrations/judge.js";
import { createLangfuseSource, type TraceSource } from "./integrations/langfuse.js";
import { createLangfuseLinks, type LangfuseLinks } from "./integrations/langfuse-links.js";
import { createUpstashRateLimiter, type RateLimiter } from "./integrations/rate-limiter.js";
import { createHttpVerifier, type Verifier } from "./integrations/verifier.js";
import { createLogger, type Logger } from "./log.js";

/** Everything outside the process, passed into createApp and the jobs so tests can swap it. */
export interface Deps {
  env: Env;
  db: Db;
  log: Logger;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** When the platform ends this invocation (epoch ms, the clock's time), if it says: Vercel's getDeadline(). */
  functionDeadline: () => number | undefined;
  /** Shared webhook rate limiter; undefined when Upstash is not configured (rate limiting off). */
  webhookRateLimiter: RateLimiter | undefined;
  /** Post-conversation monitoring's outside services; a missing one is reported as not configured. */
  monitoring: MonitoringDeps | undefined;
  alerts: AlertDeps;
}

interface AlertDeps {
  rules: Rule[];
  /** Configured notification channels; console is always there. */
  channels: Partial<Record<Channel, Sender>>;
}

interface MonitoringDeps {
  source: TraceSource | undefined;
  judge: JudgeModel | undefined;
  limiter: CallLimiter;
  verifier: Verifier | undefined;
  /** Links to Langfuse sessions (status page, reports), when Langfuse is configured. */
  links?: LangfuseLinks;
}

function monitoringFromEnv(env: Env, log: Logger, clock: () => number): MonitoringDeps {
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
    env,
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
