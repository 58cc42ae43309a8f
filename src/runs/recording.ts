import type { Db } from "../db/client.js";
import { guarded } from "../db/guarded-batch.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { eventInsert } from "../event-log/event-log.js";
import { agentRunCounted, agentRunEnded } from "./store/agent-stats.js";
import type { CompleteExecution, CompleteRun, Progress, StartExecution, StartRun } from "./schemas.js";
import {
  executionCompletion,
  executionInsert,
  findExecution,
  findRun,
  findRunById,
  progressUpdate,
  reportedCompletion,
  runInsert,
} from "./store/runs.js";
import type { Execution, Run } from "./types.js";

// Every write is idempotent: the identical request again answers the same state, so clients
// can retry on timeouts and 5xx. A different request for an existing id is a conflict.

export async function getRunOrThrow(db: Db, sessionId: string): Promise<Run> {
  const run = await findRun(db, sessionId);
  if (!run) throw new NotFoundError(`No run with session id "${sessionId}"`);
  return run;
}

async function getRunByIdOrThrow(db: Db, id: number): Promise<Run> {
  const run = await findRunById(db, id);
  if (!run) throw new NotFoundError(`No run with id ${id}`);
  return run;
}

/** A body may repeat the path's id (the seed's calls do); a different one is a mistake, not a second target. */
function samePathId(field: string, inBody: string | undefined, inPath: string): void {
  if (inBody !== undefined && inBody !== inPath)
    throw new ValidationError(`Invalid body: ${field}: "${inBody}" is not the path's "${inPath}"`, [
      { field, message: `must be the path's id ("${inPath}") or left out` },
    ]);
}

/** The run an execution belongs to: by session id, by the numeric id startOrchestration returned, or none. */
async function linkedRunId(db: Db, input: StartExecution): Promise<number | null> {
  const bySession = input.orchestrationSessionId ? await getRunOrThrow(db, input.orchestrationSessionId) : undefined;
  const byId = input.orchestrationId !== undefined ? await getRunByIdOrThrow(db, input.orchestrationId) : undefined;
  if (bySession && byId && bySession.id !== byId.id)
    throw new ValidationError("Invalid body: orchestrationId and orchestrationSessionId name different runs", [
      { field: "orchestrationId", message: `run ${byId.id} is "${byId.sessionId}", not "${bySession.sessionId}"` },
    ]);
  return (bySession ?? byId)?.id ?? null;
}

async function getExecutionOrThrow(db: Db, agentSessionId: string): Promise<Execution> {
  const execution = await findExecution(db, agentSessionId);
  if (!execution) throw new NotFoundError(`No agent execution with session id "${agentSessionId}"`);
  return execution;
}

export async function startRun(db: Db, input: StartRun, now: number): Promise<{ run: Run; created: boolean }> {
  const rs = await db.execute(runInsert(input, now));
  const run = await getRunOrThrow(db, input.sessionId);
  if (rs.rows.length === 1) return { run, created: true };
  const same =
    run.taskDescription === input.taskDescription &&
    run.totalTasks === input.totalTasks &&
    run.gitCommitHash === (input.gitCommitHash ?? null) &&
    run.planFilePath === (input.planFilePath ?? null) &&
    run.progressFilePath === (input.progressFilePath ?? null);
  if (!same) throw new ConflictError(`Run "${input.sessionId}" already exists with different details`);
  return { run, created: false };
}

export async function reportProgress(db: Db, sessionId: string, input: Progress, now: number): Promise<Run> {
  const rs = await db.execute(progressUpdate(sessionId, input, now));
  const run = await getRunOrThrow(db, sessionId);
  if (rs.rowsAffected === 0) throw new ConflictError(`Run "${sessionId}" is already ${run.status}`);
  return run;
}

export const runEventType = (status: Run["status"]) => (status === "completed" ? "run_completed" : "run_failed");

export async function completeRun(db: Db, sessionId: string, input: CompleteRun, now: number): Promise<Run> {
  samePathId("sessionId", input.sessionId, sessionId);
  await db.batch(
    guarded(
      reportedCompletion(sessionId, input, now),
      eventInsert({
        type: runEventType(input.status),
        subject: sessionId,
        dedupeKey: `run_finished:${sessionId}`,
        payload: {
          sessionId,
          status: input.status,
          completedTasks: input.completedTasks,
          failedTasks: input.failedTasks,
          source: "reported",
        },
        at: now,
      }),
    ),
    "write",
  );
  const run = await getRunOrThrow(db, sessionId);
  const matches = run.status === input.status && run.completedTasks === input.completedTasks && run.failedTasks === input.failedTasks;
  if (!matches) throw new ConflictError(`Run "${sessionId}" already finished as ${run.status}`);
  return run;
}

export async function startExecution(db: Db, input: StartExecution, now: number): Promise<{ execution: Execution; created: boolean }> {
  const orchestrationId = await linkedRunId(db, input);
  const [rs] = await db.batch(guarded(executionInsert(orchestrationId, input, now), agentRunCounted(input.agentName)), "write");
  const execution = await getExecutionOrThrow(db, input.agentSessionId);
  if (rs!.rows.length === 1) return { execution, created: true };
  const same =
    execution.agentName === input.agentName &&
    execution.orchestrationId === orchestrationId &&
    execution.taskId === (input.taskId ?? null) &&
    execution.taskNumber === (input.taskNumber ?? null);
  if (!same) throw new ConflictError(`Agent execution "${input.agentSessionId}" already exists with different details`);
  return { execution, created: false };
}

export async function completeExecution(db: Db, agentSessionId: string, input: CompleteExecution, now: number): Promise<Execution> {
  samePathId("agentSessionId", input.agentSessionId, agentSessionId);
  const existing = await getExecutionOrThrow(db, agentSessionId);
  const update = executionCompletion(agentSessionId, input, now);
  const failure = eventInsert({
    type: "step_failure",
    subject: agentSessionId,
    dedupeKey: `step_failure:${agentSessionId}`,
    payload: {
      agentSessionId,
      agentName: existing.agentName,
      taskId: existing.taskId,
      retryCount: input.retryCount,
      errorMessage: input.errorMessage ?? null,
    },
    at: now,
  });
  // Counted once, with the update it belongs to.
  const stats = agentRunEnded(existing.agentName, input.status, now - existing.startedAt);
  // Both follow the update, not each other: the event is not lost when the agent has no stats row.
  await db.batch(input.status === "failed" ? guarded(update, stats, failure) : guarded(update, stats), "write");
  const execution = await getExecutionOrThrow(db, agentSessionId);
  const matches =
    execution.status === input.status &&
    execution.filesCreated === input.filesCreated &&
    execution.filesModified === input.filesModified &&
    execution.retryCount === input.retryCount &&
    execution.selfHealed === input.selfHealed &&
    execution.errorMessage === (input.errorMessage ?? null);
  if (!matches) throw new ConflictError(`Agent execution "${agentSessionId}" already finished as ${execution.status}`);
  return execution;
}
