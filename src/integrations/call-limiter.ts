import { sleep } from "../shared/sleep.js";
import type { RateLimiter } from "./rate-limiter.js";

/** Waits for permission to make a model call; false when none comes within `maxWaitMs`. */
export interface CallLimiter {
  acquire(maxWaitMs: number): Promise<boolean>;
}

// A call is counted for 61 s, not 60: the provider sees arrival times a few milliseconds after
// ours, and must never count more than the limit in any minute of its own clock.
const WINDOW_MS = 61_000;

/** A sliding one-minute window in this process: the limit when Upstash is not configured. */
export function createLocalCallLimiter(perMinute: number, now: () => number = Date.now): CallLimiter {
  const calls: number[] = [];
  return {
    async acquire(maxWaitMs) {
      const deadline = now() + maxWaitMs;
      for (;;) {
        const t = now();
        while (calls.length > 0 && calls[0]! <= t - WINDOW_MS) calls.shift();
        if (calls.length < perMinute) {
          calls.push(t);
          return true;
        }
        const wait = calls[0]! + WINDOW_MS - t;
        if (t + wait > deadline) return false;
        await sleep(wait);
      }
    },
  };
}

/** The same limit shared by every function instance, through Upstash. */
export function createSharedCallLimiter(limiter: RateLimiter, key: string): CallLimiter {
  return {
    async acquire(maxWaitMs) {
      const deadline = Date.now() + maxWaitMs;
      for (;;) {
        const decision = await limiter.limit(key);
        if (decision.allowed) return true;
        const wait = decision.retryAfterSeconds * 1000;
        if (Date.now() + wait > deadline) return false;
        await sleep(wait);
      }
    },
  };
}
