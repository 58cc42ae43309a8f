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
