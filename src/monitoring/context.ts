import type { Db } from "../db/client.js";
import type { CallLimiter } from "../integrations/call-limiter.js";
import type { JudgeModel } from "../integrations/judge.js";
import type { TraceSource } from "../integrations/langfuse.js";
import type { LangfuseLinks } from "../integrations/langfuse-links.js";
import type { Verifier } from "../integrations/verifier.js";
import type { Logger } from "../log.js";
import type { MonitorSettings } from "./settings.js";

/** Post-conversation monitoring's outside services; a missing one is reported as not configured. */
export interface MonitoringServices {
  source: TraceSource | undefined;
  judge: JudgeModel | undefined;
  limiter: CallLimiter;
  verifier: Verifier | undefined;
  /** Links to Langfuse sessions (status page, reports), when Langfuse is configured. */
  links?: LangfuseLinks;
}

/** What the monitor cycle is given: built once by the composition root (src/deps.ts). */
export interface MonitorContext {
  db: Db;
  log: Logger;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** When the platform ends this invocation (epoch ms, the clock's time), if it says. */
  functionDeadline: () => number | undefined;
  monitoring: MonitoringServices | undefined;
  settings: { monitor: MonitorSettings };
}
