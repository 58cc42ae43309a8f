import type { InStatement } from "@libsql/client";
import { guarded, whenChanged } from "../db/guarded-batch.js";
import { finishClaim, type ClaimedSession, type ClaimOutcome } from "./store/sessions.js";
import { spendUpsert, dayOf } from "./store/spend.js";
import type { ResultRow, Usage } from "./verdict-row.js";
import { hourlyCount } from "./store/hourly.js";
import { resultInsert } from "./store/results.js";

/**
 * The writes that end an analysed claim: the verdict and its hourly count only if the claim still
 * held (a takeover's verdict stands alone), the spend always, since the model calls were made.
 * The claim's own result comes first.
 */
export function storeVerdict(claim: ClaimedSession, outcome: ClaimOutcome, row: ResultRow, usage: Usage, now: number): InStatement[] {
  return [
    ...guarded(
      finishClaim(claim, outcome, now),
      whenChanged(resultInsert(row), hourlyCount(row.analyzedAt, row.intent?.intent, row.status)),
    ),
    spendUpsert(dayOf(now), usage),
  ];
}
