import { createHash } from "node:crypto";
import type { Db } from "../db/client.js";
import { unconditional } from "../db/guarded-batch.js";
import { eventInsert } from "../events/event-log.js";
import { toExecution, toRun } from "./types.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export type ArchiveCheck = { ok: true } | { ok: false; reason: string };

/** Snapshot of the hot rows of a run (the run and its executions), as stored in its archive. */
async function snapshotOf(db: Db, sessionId: string) {
  const [runRs, execRs] = await db.batch(
    [
      { sql: "SELECT * FROM orchestrations WHERE session_id = ?", args: [sessionId] },
      {
        sql: "SELECT e.* FROM agent_executions e JOIN orchestrations o ON o.id = e.orchestration_id WHERE o.session_id = ? ORDER BY e.id",
        args: [sessionId],
      },
    ],
    "read",
  );
  const row = runRs!.rows[0];
  if (!row) return undefined;
  const executions = execRs!.rows.map(toExecution);
  return { text: JSON.stringify({ run: toRun(row), executions }), executions: executions.length };
}

/**
 * Archives a finished run: writes the snapshot with its sha256, reads it back and verifies it.
 * A failed or mismatching archive is recorded and emits archival_failure (once).
 */
export async function archiveRun(db: Db, sessionId: string, now: number): Promise<ArchiveCheck> {
  const snapshot = await snapshotOf(db, sessionId);
  if (!snapshot) return { ok: false, reason: "run not found" };
  const digest = sha256(snapshot.text);
  await db.execute({
    sql: `INSERT INTO run_archives (session_id, snapshot, sha256, executions, status, created_at)
          VALUES (?, ?, ?, ?, 'verified', ?) ON CONFLICT (session_id) DO NOTHING`,
    args: [sessionId, snapshot.text, digest, snapshot.executions, now],
  });
  return verifyArchive(db, sessionId, now);
}

/** Verifies the stored archive against its sha256 and against the hot rows it must replace. */
export async function verifyArchive(db: Db, sessionId: string, now: number): Promise<ArchiveCheck> {
  const rs = await db.execute({ sql: "SELECT snapshot, sha256, executions FROM run_archives WHERE session_id = ?", args: [sessionId] });
  const archive = rs.rows[0];
  let check: ArchiveCheck;
  if (!archive) check = { ok: false, reason: "no archive" };
  else if (sha256(String(archive.snapshot)) !== String(archive.sha256))
    check = { ok: false, reason: "sha256 mismatch: the archive is corrupted" };
  else {
    const hot = await snapshotOf(db, sessionId);
    check =
      hot && hot.executions !== Number(archive.executions)
        ? { ok: false, reason: "the archive is missing executions recorded since" }
        : { ok: true };
  }
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
                dedupeKey: `archival_failure:${sessionId}:${archive?.sha256 ?? "none"}`,
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
