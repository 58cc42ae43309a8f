import { z } from "zod";
import { plainText } from "../security/control-characters.js";

// Ids, names and paths are keys and labels: no control characters (see control-characters.ts).
const id = plainText(z.string().trim().min(1).max(200));
const count = z.number().int().min(0).max(1_000_000);
const path = plainText(z.string().max(1000));

export const startRunBody = z.object({
  sessionId: id,
  taskDescription: z.string().trim().min(1).max(5000),
  totalTasks: count,
  gitCommitHash: plainText(z.string().max(100)).optional(),
  planFilePath: path.optional(),
  progressFilePath: path.optional(),
});

export const progressBody = z.object({
  completedTasks: count.optional(),
  failedTasks: count.optional(),
  message: z.string().max(2000).optional(),
});

export const completeRunBody = z.object({
  status: z.enum(["completed", "failed", "partial"]),
  completedTasks: count,
  failedTasks: count,
});

export const startExecutionBody = z.object({
  agentSessionId: id,
  agentName: plainText(z.string().trim().min(1).max(200)),
  orchestrationSessionId: id.optional(),
  taskId: plainText(z.string().max(200)).optional(),
  taskNumber: z.number().int().min(0).max(1_000_000).optional(),
});

export const completeExecutionBody = z.object({
  status: z.enum(["completed", "failed"]),
  filesCreated: count,
  filesModified: count,
  retryCount: count,
  selfHealed: z.boolean(),
  errorMessage: z.string().max(10_000).optional(),
  summaryReportPath: path.optional(),
  sessionLogPath: path.optional(),
});

export type StartRun = z.infer<typeof startRunBody>;
export type Progress = z.infer<typeof progressBody>;
export type CompleteRun = z.infer<typeof completeRunBody>;
export type StartExecution = z.infer<typeof startExecutionBody>;
export type CompleteExecution = z.infer<typeof completeExecutionBody>;
