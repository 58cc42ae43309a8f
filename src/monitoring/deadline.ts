import type { MonitorSettings } from "./settings.js";

// Room kept before the function's own deadline for recording the run and answering the cron.
const DEADLINE_SAFETY_MS = 5_000;

/**
 * When the cycle must have stopped: its own budget, or the platform's deadline for this
 * invocation (Vercel's getDeadline()) minus a safety margin, whichever comes first.
 */
export function cycleDeadline(s: MonitorSettings, started: number, functionDeadline: number | undefined): number {
  const own = started + s.budgetMs;
  return functionDeadline === undefined ? own : Math.min(own, functionDeadline - DEADLINE_SAFETY_MS);
}

// A call is started only with at least this long left to run (or its whole timeout, if
// shorter; a quarter of the cycle's budget in a very short function).
const MIN_CALL_MS = 5_000;
export const minCallMs = (budgetMs: number) => Math.min(MIN_CALL_MS, budgetMs / 4);

/**
 * How long a call may take if it starts now: its timeout, cut to the time left before `until`;
 * 0 when less than `minMs` is left to start one. No call runs past the deadline.
 */
export function callWindow(now: number, until: number, timeoutMs: number, minMs: number): number {
  const left = until - now;
  return left >= Math.min(timeoutMs, minMs) ? Math.min(timeoutMs, left) : 0;
}

/** The wait before attempt `attempts` + 1 of a failed call: 1, 2, 4 … minutes, i.e. the next cycles. */
export const retryDelayMs = (attempts: number) => 60_000 * 2 ** (attempts - 1);
