import type { Db } from "../db/client.js";
import type { CallLimiter } from "../integrations/call-limiter.js";
import type { JudgeModel } from "../integrations/judge.js";
import type { TraceSource } from "../integrations/langfuse.js";
import type { LangfuseLinks } from "../integrations/langfuse-links.js";
import type { Verifier } from "../integrations/system-of-record.js";
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

/** What one cycle's analyses share: the context, the judge, the call budget and the deadline. */
export interface AnalysisContext {
  deps: MonitorContext;
  judge: JudgeModel;
  limiter: CallLimiter;
  settings: MonitorSettings;
  verifier: Verifier | undefined;
  /** When (deps.clock time) every model call must have ended: each one's timeout is cut to it. */
  deadline: number;
  /** Sessions skipped this cycle as unreadable, and the shapes already logged (each once). */
  unreadable: { sessions: number; shapes: Set<string> };
}
