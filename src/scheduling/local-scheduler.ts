import type { Logger } from "../log.js";
import type { CronEntry } from "./schedules.js";

const MINUTE_MS = 60_000;

export interface LocalScheduler {
  start(): void;
  /** Fires whatever is due in the minute containing `at`; what the timer calls each minute. */
  tick(at: number): string[];
  /** Stops scheduling; resolves true when every fired call has finished, false after `graceMs`. */
  stop(graceMs: number): Promise<boolean>;
}

export function dueAt(entries: Pick<CronEntry, "path" | "cron">[], at: number): string[] {
  const minute = new Date(Math.floor(at / MINUTE_MS) * MINUTE_MS);
  return entries.filter((e) => e.cron.matches(minute)).map((e) => e.path);
}

/**
 * Plays Vercel's part on a developer's machine: at each minute boundary it calls the cron
 * paths whose schedule matches, exactly as Vercel would.
 */
export function createLocalScheduler(options: {
  entries: CronEntry[];
  fire: (path: string) => Promise<unknown>;
  log: Logger;
  now?: () => number;
}): LocalScheduler {
  const now = options.now ?? Date.now;
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const launch = (path: string) => {
    const call = options
      .fire(path)
      .catch((error: unknown) => options.log.error("scheduled call failed", { path, err: error }))
      .finally(() => inFlight.delete(call));
    inFlight.add(call);
  };

  const tick = (at: number) => {
    const paths = dueAt(options.entries, at);
    for (const path of paths) launch(path);
    return paths;
  };

  const scheduleNext = () => {
    if (stopped) return;
    const delay = MINUTE_MS - (now() % MINUTE_MS) + 5;
    timer = setTimeout(() => {
      tick(now());
      scheduleNext();
    }, delay);
  };

  return {
    start: scheduleNext,
    tick,
    async stop(graceMs) {
      stopped = true;
      clearTimeout(timer);
      if (inFlight.size === 0) return true;
      let graceTimer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        graceTimer = setTimeout(() => resolve(false), graceMs);
      });
      const drained = Promise.all([...inFlight]).then(() => true as const);
      const result = await Promise.race([drained, timedOut]);
      clearTimeout(graceTimer);
      return result;
    },
  };
}
