import { vi } from "vitest";

/**
 * How many more requests @upstash/ratelimit's sliding window may let through than `limit` when
 * a burst that started at `startedAt` ran into the next minute: its slidingWindow script weighs
 * the previous minute's count down and floors it (`math.floor((1 - percentageInCurrent) *
 * requestsInPreviousWindow)`), so slots free up as the new minute goes on. 0 within one minute.
 */
export function slidingWindowSlack(startedAt: number, limit: number, now = Date.now()): number {
  if (Math.floor(startedAt / 60_000) === Math.floor(now / 60_000)) return 0;
  return 1 + Math.ceil((limit * (now % 60_000)) / 60_000);
}

/**
 * Freezes Date alone (timers and I/O stay real) half-way through a minute, so a burst checked
 * against exact counts meets @upstash/ratelimit's sliding window inside one window, whatever the
 * real time: from one window into the next, the floored previous count lets one more through.
 * Undo with vi.useRealTimers().
 */
export function freezeDateMidMinute(): void {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 10, 23, 12, 0, 30) });
}
