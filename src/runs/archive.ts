import { createHash } from "node:crypto";
import type { Db } from "../db/client.js";
import { unconditional } from "../db/guarded-batch.js";
import { eventInsert } from "../event-log/event-log.js";
import { boundText, createRunReport } from "./run-report.js";
import { type Execution, type Run, toExecution } from "./types.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export type ArchiveCheck = { ok: true } | { ok: false; reason: string };

// Executions are read a page at a time (one page is at most ~5 MB of 10,000-character error
// texts), and the archive keeps the first 2,000 characters of each error: a 15,000-execution
// run then archives in tens of megabytes, not the 1.5 GB that loading it whole three times took.
const PAGE_SIZE = 500;
const ARCHIVED_ERROR_CHARS = 2_000;

/** A run's executions in pages, in the order of its index (start time, then id). */
async function* executionPages(db: Db, orchestrationId: number): AsyncGenerator<Execution[]> {
  let after: [number, number] = [Number.MIN_SAFE_INTEGER, 0];
  for (;;) {
    const rs = await db.execute({
      sql: `SELECT * FROM agent_executions WHERE orchestration_id = ? AND (started_at, id) > (?, ?)
            ORDER BY started_at, id LIMIT ${PAGE_SIZE}`,
      args: [orchestrationId, ...after],
    });
    const page = rs.rows.map(toExecution);
    if (page.length > 0) yield page;
    if (page.length < PAGE_SIZE) return;
    const last = page.at(-1)!;
    after = [last.startedAt, last.id];
  }
}

/**
 * Reads a finished run's executions once, page by page, into its report and its archive snapshot,
 * stores both and verifies the archive. A run over the cap is not archived: its archive is
 * recorded failed (retention keeps its hot rows) and archival_failure says why.
 */
export async function archiveFinishedRun(
  db: Db,
  run: Run,
  executionCount: number,
  maxExecutions: number,
  now: number,
): Promise<ArchiveCheck> {
  if (executionCount > maxExecutions) {
    const reason = `${executionCount} executions: over the archive cap of ${maxExecutions} (RUN_ARCHIVE_MAX_EXECUTIONS); the hot rows are kept`;
    await db.execute({
      sql: `INSERT INTO run_archives (session_id, snapshot, sha256, executions, status, created_at, error)
            VALUES (?, '', '', ?, 'failed', ?, ?) ON CONFLICT (session_id) DO NOTHING`,
      args: [run.sessionId, executionCount, now, reason],
    });
    return verifyArchive(db, run.sessionId, now);
  }
  const report = createRunReport(run);
  const parts: string[] = [];
  let executions = 0;
  for await (const page of executionPages(db, run.id)) {
    report.add(page);
    executions += page.length;
    parts.push(page.map((e) => JSON.stringify({ ...e, errorMessage: boundText(e.errorMessage, ARCHIVED_ERROR_CHARS) })).join(","));
  }
  const snapshot = `{"run":${JSON.stringify(run)},"executions":[${parts.join(",")}]}`;
  parts.length = 0;
  await db.batch(
    [
      {
        sql: "INSERT INTO run_reports (session_id, report, created_at) VALUES (?, ?, ?) ON CONFLICT (session_id) DO NOTHING",
        args: [run.sessionId, JSON.stringify(report.finish(now)), now],
      },
      {
        sql: `INSERT INTO run_archives (session_id, snapshot, sha256, executions, status, created_at)
              VALUES (?, ?, ?, ?, 'verified', ?) ON CONFLICT (session_id) DO NOTHING`,
        args: [run.sessionId, snapshot, sha256(snapshot), executions, now],
      },
    ],
    "write",
  );
  return verifyArchive(db, run.sessionId, now);
}

/** Verifies the stored archive against its sha256 and against the count of hot rows it must replace. */
export async function verifyArchive(db: Db, sessionId: string, now: number): Promise<ArchiveCheck> {
  const [archiveRs, hotRs] = await db.batch(
    [
      { sql: "SELECT snapshot, sha256, executions, error FROM run_archives WHERE session_id = ?", args: [sessionId] },
      {
        sql: "SELECT COUNT(*) AS n FROM agent_executions e JOIN orchestrations o ON o.id = e.orchestration_id WHERE o.session_id = ?",
        args: [sessionId],
      },
    ],
    "read",
  );
  const archive = archiveRs!.rows[0];
  let check: ArchiveCheck;
  if (!archive) check = { ok: false, reason: "no archive" };
  else if (archive.sha256 === "") check = { ok: false, reason: String(archive.error) };
  else if (sha256(String(archive.snapshot)) !== String(archive.sha256))
    check = { ok: false, reason: "sha256 mismatch: the archive is corrupted" };
  else
    check =
      Number(hotRs!.rows[0]!.n) !== Number(archive.executions)
        ? { ok: false, reason: "the archive is missing executions recorded since" }
        : { ok: true };
  await db.batch(
    [
      {
        sql: "UPDATE run_archives SET status = ?, verified_at = ?, error = ? WHERE session_id = ?",
        args: [check.ok ? "verified" : "failed", now, check.ok ? null : check.reason, sessionId],
      },
      ...(check.ok
        ? []
        : [
            unconditional(
              eventInsert({
                type: "archival_failure",
                subject: sessionId,
                dedupeKey: `archival_failure:${sessionId}:${archive?.sha256 || "none"}`,
                payload: { sessionId, reason: check.reason },
                at: now,
              }),
            ),
          ]),
    ],
    "write",
  );
  return check;
}
