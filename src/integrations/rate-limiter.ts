import type { Ratelimit } from "@upstash/ratelimit";
import type { Logger } from "../log.js";

interface RateLimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

/** A shared limiter keyed by a string; one implementation talks to Upstash. */
export interface RateLimiter {
  limit(key: string): Promise<RateLimitDecision>;
}

/**
 * Upstash sliding window shared by every function instance. If Upstash is slow or down the
 * request is allowed: losing a signed event would cost more than admitting a burst.
 */
export function createUpstashRateLimiter(options: {
  url: string;
  token: string;
  perMinute: number;
  prefix: string;
  /** The sliding window; a model limiter adds a second of slack (see call-limiter.ts). */
  windowSeconds?: number;
  log: Logger;
  clock?: () => number;
}): RateLimiter {
  // The Upstash SDKs are imported on first use, off the cold start of a function that never limits.
  let limiter: Promise<Ratelimit> | undefined;
  const load = () =>
    (limiter ??= Promise.all([import("@upstash/ratelimit"), import("@upstash/redis")]).then(
      ([{ Ratelimit: Limiter }, { Redis }]) =>
        new Limiter({
          redis: new Redis({ url: options.url, token: options.token, enableTelemetry: false, retry: { retries: 1, backoff: () => 100 } }),
          limiter: Limiter.slidingWindow(options.perMinute, `${options.windowSeconds ?? 60} s`),
          prefix: options.prefix,
          timeout: 1000,
          analytics: false,
          ephemeralCache: false,
        }),
    ));
  const clock = options.clock ?? Date.now;
  return {
    async limit(key) {
      try {
        const result = await (await load()).limit(key);
        if (result.reason === "timeout") options.log.warn("rate limiter timed out: allowing", { key });
        return { allowed: result.success, retryAfterSeconds: Math.max(1, Math.ceil((result.reset - clock()) / 1000)) };
      } catch (error) {
        options.log.warn("rate limiter unavailable: allowing", { key, err: error });
        return { allowed: true, retryAfterSeconds: 0 };
      }
    },
  };
}
