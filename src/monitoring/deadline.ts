import type { MonitorSettings } from "./settings.js";

// Room kept before the function's own deadline for recording the run and answering the cron.
export const DEADLINE_SAFETY_MS = 5_000;

/**
 * When the cycle must have stopped: its own budget, or the platform's deadline for this
 * invocation (Vercel's getDeadline()) minus a safety margin, whichever comes first.
 */
export function cycleDeadline(s: MonitorSettings, started: number, functionDeadline: number | undefined): number {
  const own = started + s.budgetMs;
  return functionDeadline === undefined ? own : Math.min(own, functionDeadline - DEADLINE_SAFETY_MS);
}
