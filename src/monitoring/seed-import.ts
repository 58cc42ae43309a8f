import type { Db } from "../db/client.js";
import { seedVerdictInsert, sessionsWithVerdicts } from "./store/results.js";
import type { SeedVerdict } from "./verdict-row.js";

// Seed 001's monitoring_results (one verdict per session), moved in as version 1 of each session.

const NO_TRANSCRIPT = JSON.stringify({
  error: "imported from the seed's monitoring.db without a diagnosis: no transcript here to diagnose",
});
const BATCH = 200;

/**
 * Imports the verdicts, a batch per round trip; a session already here keeps its verdict. An
 * imported verdict counts as written back (the seed's own system owned its Langfuse scores), and
 * one the seed never diagnosed is closed as such: Vigil has not its transcript to diagnose.
 */
export async function importSeedVerdicts(db: Db, verdicts: SeedVerdict[], dryRun: boolean) {
  let existing = 0;
  for (let i = 0; i < verdicts.length; i += BATCH) {
    const rs = await db.execute(sessionsWithVerdicts(verdicts.slice(i, i + BATCH).map((v) => v.sessionId)));
    existing += Number(rs.rows[0]!.n);
  }
  if (!dryRun)
    for (let i = 0; i < verdicts.length; i += BATCH)
      await db.batch(
        verdicts.slice(i, i + BATCH).map((v) => {
          const undiagnosed =
            (v.status === "fail" || v.status === "partial") && v.diagnosticStatus !== "complete" && v.diagnosticStatus !== "error";
          return seedVerdictInsert(v, {
            status: undiagnosed ? "error" : v.diagnosticStatus === "pending" ? null : v.diagnosticStatus,
            report: undiagnosed ? NO_TRANSCRIPT : v.diagnosticReportJson,
            at: undiagnosed ? v.analyzedAt : v.diagnosedAt,
          });
        }),
        "write",
      );
  return { read: verdicts.length, imported: verdicts.length - existing, existing };
}
