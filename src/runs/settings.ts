import type { Env } from "../env.js";

/** What the heartbeat's run detectors need from the configuration. */
export interface RunSettings {
  /** A running run with no progress for this long is stalled. */
  stallMs: number;
}

export const runSettings = (env: Pick<Env, "STALL_MINUTES">): RunSettings => ({ stallMs: env.STALL_MINUTES * 60_000 });
