import type { Row } from "@libsql/client";

export type RunStatus = "running" | "completed" | "failed" | "partial";
type ExecutionStatus = "in_progress" | "completed" | "failed";

export interface Run {
  id: number;
  sessionId: string;
  taskDescription: string;
  status: RunStatus;
  startedAt: number;
  completedAt: number | null;
  durationMs: number | null;
  totalTasks: number;
  completedTasks: number;
  failedTasks: number;
  gitCommitHash: string | null;
  planFilePath: string | null;
  progressFilePath: string | null;
  lastProgressAt: number;
  lastMessage: string | null;
  completionSource: "reported" | "derived" | null;
  stalledAt: number | null;
}

export interface Execution {
  id: number;
  orchestrationId: number | null;
  agentSessionId: string;
  agentName: string;
  taskId: string | null;
  taskNumber: number | null;
  status: ExecutionStatus;
  startedAt: number;
  completedAt: number | null;
  durationMs: number | null;
  retryCount: number;
  selfHealed: boolean;
  filesCreated: number;
  filesModified: number;
  errorMessage: string | null;
  summaryReportPath: string | null;
  sessionLogPath: string | null;
}

/** A run as seed 002's monitoring.db stored it: Vigil's run fields without the progress Vigil tracks itself. */
export type SeedRun = Omit<Run, "lastProgressAt" | "lastMessage" | "completionSource" | "stalledAt">;

/** An agent execution as the seed stored it: Vigil's fields, its own status names, its run's seed id. */
export type SeedExecution = Omit<Execution, "id" | "orchestrationId" | "status"> & {
  /** The seed's orchestrations.id (its foreign key), or null. */
  seedRunId: number | null;
  status: "in_progress" | "completed" | "failed";
};

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function toRun(r: Row): Run {
  return {
    id: Number(r.id),
    sessionId: String(r.session_id),
    taskDescription: String(r.task_description),
    status: r.status as RunStatus,
    startedAt: Number(r.started_at),
    completedAt: num(r.completed_at),
    durationMs: num(r.duration_ms),
    totalTasks: Number(r.total_tasks),
    completedTasks: Number(r.completed_tasks),
    failedTasks: Number(r.failed_tasks),
    gitCommitHash: str(r.git_commit_hash),
    planFilePath: str(r.plan_file_path),
    progressFilePath: str(r.progress_file_path),
    lastProgressAt: Number(r.last_progress_at),
    lastMessage: str(r.last_message),
    completionSource: (r.completion_source as Run["completionSource"]) ?? null,
    stalledAt: num(r.stalled_at),
  };
}

export function toExecution(r: Row): Execution {
  return {
    id: Number(r.id),
    orchestrationId: num(r.orchestration_id),
    agentSessionId: String(r.agent_session_id),
    agentName: String(r.agent_name),
    taskId: str(r.task_id),
    taskNumber: num(r.task_number),
    status: r.status as ExecutionStatus,
    startedAt: Number(r.started_at),
    completedAt: num(r.completed_at),
    durationMs: num(r.duration_ms),
    retryCount: Number(r.retry_count),
    selfHealed: Number(r.self_healed) === 1,
    filesCreated: Number(r.files_created),
    filesModified: Number(r.files_modified),
    errorMessage: str(r.error_message),
    summaryReportPath: str(r.summary_report_path),
    sessionLogPath: str(r.session_log_path),
  };
}
