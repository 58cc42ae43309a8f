import { z } from "zod";
import { plainText } from "../security/control-characters.js";

// Ids, names and paths are keys and labels: no control characters (see control-characters.ts).
const id = plainText(z.string().trim().min(1).max(200));
const count = z.number().int().min(0).max(1_000_000);
const path = plainText(z.string().max(1000));

// Bodies are strict: a misspelt field (`orchestrationSessionID`) is a 400 naming it, never dropped.
// The seed's tracker (seeds/002) sends the same objects; the names it uses that differ from
// Vigil's are declared here, next to the field they mean.

export const startRunBody = z.strictObject({
  sessionId: id,
  taskDescription: z.string().trim().min(1).max(5000),
  totalTasks: count,
  gitCommitHash: plainText(z.string().max(100)).optional(),
  planFilePath: path.optional(),
  progressFilePath: path.optional(),
});

export const progressBody = z.strictObject({
  completedTasks: count.optional(),
  failedTasks: count.optional(),
  message: z.string().max(2000).optional(),
});

export const completeRunBody = z.strictObject({
  /** The seed's `completeOrchestration({ sessionId, ... })` carries the id in the body: it must be the path's. */
  sessionId: id.optional(),
  status: z.enum(["completed", "failed", "partial"]),
  completedTasks: count,
  failedTasks: count,
});

export const startExecutionBody = z.strictObject({
  agentSessionId: id,
  agentName: plainText(z.string().trim().min(1).max(200)),
  orchestrationSessionId: id.optional(),
  /** The numeric id `startOrchestration` returns (the seed links executions by it). */
  orchestrationId: z.number().int().positive().optional(),
  taskId: plainText(z.string().max(200)).optional(),
  taskNumber: z.number().int().min(0).max(1_000_000).optional(),
});

export const completeExecutionBody = z.strictObject({
  /** The seed's `completeAgentExecution({ agentSessionId, ... })` carries the id in the body: it must be the path's. */
  agentSessionId: id.optional(),
  status: z.enum(["completed", "failed"]),
  filesCreated: count.default(0),
  filesModified: count.default(0),
  // The seed's example completes an execution without them: no retry, no self-healing.
  retryCount: count.default(0),
  selfHealed: z.boolean().default(false),
  errorMessage: z.string().max(10_000).optional(),
  summaryReportPath: path.optional(),
  sessionLogPath: path.optional(),
});

export type StartRun = z.infer<typeof startRunBody>;
export type Progress = z.infer<typeof progressBody>;
export type CompleteRun = z.infer<typeof completeRunBody>;
export type StartExecution = z.infer<typeof startExecutionBody>;
export type CompleteExecution = z.infer<typeof completeExecutionBody>;
/** What a client sends: defaults may be left out. */
export type CompleteExecutionInput = z.input<typeof completeExecutionBody>;
export type StartExecutionInput = z.input<typeof startExecutionBody>;
