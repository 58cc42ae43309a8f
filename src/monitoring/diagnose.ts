import { JudgeSchemaError } from "../integrations/judge.js";
import { loadTranscript, meteredAsk, OutOfTimeError } from "./analyze.js";
import type { AnalysisContext } from "./context.js";
import { callWindow } from "./deadline.js";
import { DIAGNOSIS_SYSTEM, diagnosisSchema, diagnosisUser } from "./prompts.js";
import type { Usage } from "./verdict-row.js";
import { claimDiagnosis, diagnosisEnded, releaseDiagnosis, undiagnosed } from "./store/results.js";
import { dayOf, spendUpsert } from "./store/spend.js";
import { errorMessage } from "../errors.js";

/**
 * Root-cause analysis of failed and partial verdicts: at most `limit` per cycle, strictly one
 * after another (the seed's guard against rate-limit storms). Each is claimed with a guarded
 * update; a claim left by a crashed cycle is retried after the lease.
 */
export async function diagnoseFailures(ctx: AnalysisContext, now: number, limit: number): Promise<number> {
  const { db } = ctx.deps;
  const staleBefore = now - ctx.settings.leaseMs;
  const rs = await db.execute(undiagnosed(staleBefore, limit));
  let diagnosed = 0;
  for (const row of rs.rows) {
    if (!callWindow(ctx.deps.clock(), ctx.deadline, ctx.settings.modelTimeoutMs, ctx.settings.minCallMs)) break;
    const id = Number(row.id);
    const claimed = await db.execute(claimDiagnosis(id, now, staleBefore));
    if (claimed.rowsAffected !== 1) continue;
    const usage: Usage = { tokensIn: 0, tokensOut: 0, costUsd: 0, model: null };
    const log = ctx.deps.log.child({ job: "monitor", session_id: String(row.session_id) });
    try {
      const transcript = await loadTranscript(ctx.deps, String(row.session_id), ctx.settings.transcriptMaxChars);
      const verdict = {
        status: String(row.verification_status),
        summary: String(row.verdict_summary ?? ""),
        unmet: JSON.parse(String(row.unmet ?? "[]")) as string[],
      };
      const report = await meteredAsk(
        ctx,
        usage,
      )({
        task: "diagnosis",
        schema: diagnosisSchema,
        system: DIAGNOSIS_SYSTEM,
        user: diagnosisUser(verdict, transcript.text, transcript.errors),
      });
      await db.batch([diagnosisEnded(id, "complete", report, ctx.deps.clock()), spendUpsert(dayOf(now), usage)], "write");
      diagnosed++;
      log.info("session diagnosed", { category: report.category, severity: report.severity });
    } catch (error) {
      if (error instanceof OutOfTimeError) {
        // Not a failed diagnosis: it did not start. A later cycle takes it.
        await db.execute(releaseDiagnosis(id));
        break;
      }
      const reason = errorMessage(error);
      await db.batch(
        [
          diagnosisEnded(id, "error", { error: reason, permanent: error instanceof JudgeSchemaError }, ctx.deps.clock()),
          spendUpsert(dayOf(now), usage),
        ],
        "write",
      );
      log.warn("diagnosis failed", { reason });
    }
  }
  return diagnosed;
}
