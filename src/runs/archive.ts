import { createHash } from "node:crypto";
import type { Db } from "../db/client.js";
import { unconditional } from "../db/guarded-batch.js";
import { readAll } from "../db/query.js";
import { eventInsert } from "../event-log/event-log.js";
import { boundText, createRunReport } from "./run-report.js";
import { recordUnarchivable, reportAndArchiveInserts, storedArchive, verificationUpdate } from "./store/archives.js";
import { executionCountOf, executionPages } from "./store/runs.js";
import type { Run } from "./types.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export type ArchiveCheck = { ok: true } | { ok: false; reason: string };

// Executions are read a page at a time (one page is at most ~5 MB of 10,000-character error
// texts), and the archive keeps the first 2,000 characters of each error: a 15,000-execution
// run then archives in tens of megabytes, not the 1.5 GB that loading it whole three times took.
const PAGE_SIZE = 500;
const ARCHIVED_ERROR_CHARS = 2_000;

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
    await recordUnarchivable(db, run.sessionId, executionCount, reason, now);
    return verifyArchive(db, run.sessionId, now);
  }
  const report = createRunReport(run);
  const parts: string[] = [];
  let executions = 0;
  for await (const page of executionPages(db, run.id, PAGE_SIZE)) {
    report.add(page);
    executions += page.length;
    parts.push(page.map((e) => JSON.stringify({ ...e, errorMessage: boundText(e.errorMessage, ARCHIVED_ERROR_CHARS) })).join(","));
  }
  const snapshot = `{"run":${JSON.stringify(run)},"executions":[${parts.join(",")}]}`;
  parts.length = 0;
  await db.batch(
    reportAndArchiveInserts(run, JSON.stringify(report.finish(now)), { snapshot, sha256: sha256(snapshot), executions }, now),
    "write",
  );
  return verifyArchive(db, run.sessionId, now);
}

/** Verifies the stored archive against its sha256 and against the count of hot rows it must replace. */
export async function verifyArchive(db: Db, sessionId: string, now: number): Promise<ArchiveCheck> {
  const [archive, hot] = await readAll(db, [storedArchive(sessionId), executionCountOf(sessionId)]);
  let check: ArchiveCheck;
  if (!archive) check = { ok: false, reason: "no archive" };
  else if (archive.sha256 === "") check = { ok: false, reason: String(archive.error) };
  else if (sha256(archive.snapshot) !== archive.sha256) check = { ok: false, reason: "sha256 mismatch: the archive is corrupted" };
  else check = hot !== archive.executions ? { ok: false, reason: "the archive is missing executions recorded since" } : { ok: true };
  await db.batch(
    [
      verificationUpdate(sessionId, check.ok ? null : check.reason, now),
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
