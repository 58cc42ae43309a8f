import type { RateLimiter } from "../integrations/rate-limiter.js";

/**
 * A limiter in this instance's memory: a one-minute window per key. Without Upstash it is what
 * bounds the refused webhooks and wrong keys one address can send; it holds per instance (a
 * fresh instance starts empty), which still caps what each instance spends on one address.
 * At most `maxKeys` windows are kept, so many addresses cannot grow it without bound.
 */
export function createMemoryRateLimiter(options: { perMinute: number; clock: () => number; maxKeys?: number }): RateLimiter {
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async limit(key) {
      const now = options.clock();
      const start = Math.floor(now / 60_000) * 60_000;
      let window = windows.get(key);
      if (window?.start !== start) {
        windows.delete(key);
        if (windows.size >= maxKeys) {
          for (const [k, w] of windows) if (w.start !== start) windows.delete(k);
          // Still full within one minute: the oldest entry goes (Map keeps insertion order).
          if (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
        }
        window = { start, count: 0 };
        windows.set(key, window);
      }
      window.count++;
      return { allowed: window.count <= options.perMinute, retryAfterSeconds: Math.max(1, Math.ceil((start + 60_000 - now) / 1000)) };
    },
  };
}

/**
 * Counts wrong keys per address: past `perMinute` in a minute the address is refused before its
 * key is even compared, so guessing the key costs a minute per few tries, right ones included.
 */
export function createFailureThrottle(options: { perMinute: number; clock: () => number; maxKeys?: number }) {
  // The perMinute-th wrong key already blocks: the next try is refused, not compared.
  const failures = createMemoryRateLimiter({ ...options, perMinute: options.perMinute - 1 });
  const blockedUntil = new Map<string, number>();
  return {
    /** Seconds to wait while the address is over its limit, else undefined. */
    blocked(address: string): number | undefined {
      const until = blockedUntil.get(address);
      if (until === undefined) return undefined;
      const wait = Math.ceil((until - options.clock()) / 1000);
      if (wait > 0) return wait;
      blockedUntil.delete(address);
      return undefined;
    },
    async failed(address: string): Promise<void> {
      const decision = await failures.limit(address);
      if (decision.allowed) return;
      if (blockedUntil.size >= (options.maxKeys ?? 10_000)) blockedUntil.delete(blockedUntil.keys().next().value!);
      blockedUntil.set(address, options.clock() + decision.retryAfterSeconds * 1000);
    },
  };
}

export type FailureThrottle = ReturnType<typeof createFailureThrottle>;
