import type { Db } from "../db/client.js";
import type { Sender } from "./channels/sender.js";
import type { Channel, Rule } from "./rules.js";
import type { Logger } from "../log.js";
import type { RegressionSettings } from "../regression/detect.js";
import type { JobSchedules } from "../scheduling/schedules.js";
import type { SourceSettings } from "../stability/known-sources.js";
import type { StabilityThresholds } from "../stability/thresholds.js";

/** What evaluating the alert rules reads: built once by the composition root (src/deps.ts). */
export interface AlertContext {
  db: Db;
  log: Logger;
  settings: {
    stability: StabilityThresholds;
    regression: RegressionSettings;
    webhooks: { sources: SourceSettings };
    jobs: { schedules: JobSchedules };
    /** COST_SPIKE_RATIO: how many times the baseline's cost per conversation is a spike. */
    cost: { spikeRatio: number };
  };
}

/** The rules this deployment runs and the channels it can send to (console is always there). */
export interface AlertRouting {
  rules: Rule[];
  channels: Partial<Record<Channel, Sender>>;
}
