import { createDb, type Db } from "./db/client.js";
import type { Env } from "./env.js";
import { createUpstashRateLimiter, type RateLimiter } from "./integrations/rate-limiter.js";
import { createLogger, type Logger } from "./log.js";

/** Everything outside the process, passed into createApp and the jobs so tests can swap it. */
export interface Deps {
  env: Env;
  db: Db;
  log: Logger;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Shared webhook rate limiter; undefined when Upstash is not configured (rate limiting off). */
  webhookRateLimiter: RateLimiter | undefined;
}

export function depsFromEnv(env: Env, overrides: Partial<Deps> = {}): Deps {
  const log = overrides.log ?? createLogger({ level: env.LOG_LEVEL });
  const clock = overrides.clock ?? Date.now;
  return {
    env,
    db:
      overrides.db ??
      createDb({ url: env.TURSO_DATABASE_URL, authToken: env.TURSO_AUTH_TOKEN, busyTimeoutMs: env.DB_BUSY_TIMEOUT_MS }),
    log,
    clock,
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
  };
}
