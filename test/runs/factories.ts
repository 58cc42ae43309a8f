import type { Db } from "../../src/db/client.js";
import { completeExecution, completeRun, reportProgress, startExecution, startRun } from "../../src/runs/recording.js";
import { completeExecutionBody, completeRunBody, progressBody, startExecutionBody, startRunBody } from "../../src/runs/schemas.js";

// Runs and executions recorded as the runs routes record them (the same body schemas, defaults
// included, and the same recording functions) without the routes: an alert or status-page test
// does not fail when a runs route breaks; test/runs/*.http.test.ts do.

interface World {
  db: Db;
  clock: () => number;
}

export const storeRun = (w: World, body: Record<string, unknown>) => startRun(w.db, startRunBody.parse(body), w.clock());

export const storeProgress = (w: World, sessionId: string, body: Record<string, unknown>) =>
  reportProgress(w.db, sessionId, progressBody.parse(body), w.clock());

export const storeRunEnd = (w: World, sessionId: string, body: Record<string, unknown>) =>
  completeRun(w.db, sessionId, completeRunBody.parse(body), w.clock());

export const storeExecution = (w: World, body: Record<string, unknown>) => startExecution(w.db, startExecutionBody.parse(body), w.clock());

export const storeExecutionEnd = (w: World, agentSessionId: string, body: Record<string, unknown>) =>
  completeExecution(w.db, agentSessionId, completeExecutionBody.parse(body), w.clock());
