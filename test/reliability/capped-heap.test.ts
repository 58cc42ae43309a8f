import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.js";

let t: TestDb;
const EXECUTIONS = 15_000;
const START = Date.UTC(2026, 10, 2, 9, 0);

/** Runs `beats` heartbeats in a child process whose heap is capped like a small Vercel function's. */
function heartbeatsUnderCap(heapMb: number, beats: number) {
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, "--import", "tsx", "test/reliability/heartbeats.child.ts", t.url, String(beats), String(START)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return new Promise<{ code: number | null; beats: { summary: Record<string, unknown>; peakHeapMb: number }[]; err: string }>((resolve) =>
    child.on("close", (code) =>
      resolve({
        code,
        beats: out
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l)),
        err: err.slice(-2000),
      }),
    ),
  );
}

beforeAll(async () => {
  t = await createTestDb();
  // A run whose every task failed, each execution with the longest error text the API accepts.
  await t.db.execute({
    sql: `INSERT INTO orchestrations (id, session_id, task_description, status, started_at, total_tasks, failed_tasks, last_progress_at)
          VALUES (1, 'fat', 'a run of ${EXECUTIONS} executions', 'running', ?, ?, ?, ?)`,
    args: [START - 3_600_000, EXECUTIONS, EXECUTIONS, START - 60_000],
  });
  await t.db.execute({
    sql: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
          INSERT INTO agent_executions (orchestration_id, agent_session_id, agent_name, status, started_at, completed_at, error_message)
          SELECT 1, 'fat-' || i, 'coder', 'failed', ? + i, ? + i, printf('%d %s', i, ?) FROM n`,
    args: [EXECUTIONS, START - 3_600_000, START - 3_000_000, "e".repeat(9_990)],
  });
}, 120_000);
afterAll(() => t.cleanup());

describe("a heartbeat under a 256 MB heap", () => {
  it("archives a 15,000-execution run (150 MB of error text) and evaluates alerts in every heartbeat meanwhile", async () => {
    const { code, beats, err } = await heartbeatsUnderCap(256, 3);
    expect(code, `child exited ${code} after ${beats.length} heartbeat(s):\n${err}`).toBe(0);
    expect(beats).toHaveLength(3);
    for (const { summary } of beats) {
      expect(summary.failedSteps, JSON.stringify(summary)).toBeUndefined();
      expect(summary.alerts, "alerts evaluated").toBeDefined();
    }
    // The first heartbeat derives the failure and archives the run; the next one alerts on it.
    expect(beats[0]!.summary.finishedRuns).toEqual({ archived: 1, archiveFailures: 0 });
    const archive = await t.db.execute("SELECT status, executions, length(snapshot) AS bytes FROM run_archives WHERE session_id = 'fat'");
    expect(archive.rows[0]).toMatchObject({ status: "verified", executions: EXECUTIONS });
    const alerts = await t.db.execute("SELECT rule FROM alerts WHERE rule = 'run_failed'");
    expect(alerts.rows.length, "the failed run paged").toBe(1);
    const report = JSON.parse(String((await t.db.execute("SELECT report FROM run_reports WHERE session_id = 'fat'")).rows[0]!.report));
    expect(report).toMatchObject({ executions: EXECUTIONS, agents: [{ agentName: "coder", failed: EXECUTIONS }] });
    expect(report.failures).toHaveLength(100);
    console.log(
      `peak heap ${Math.max(...beats.map((b) => b.peakHeapMb))} MB, archive ${Math.round(Number(archive.rows[0]!.bytes) / 1e6)} MB`,
    );
  }, 240_000);
});
