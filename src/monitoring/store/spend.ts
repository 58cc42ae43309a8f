// The one module with SQL for judge_spend: the judge's tokens and dollars per UTC day, which its
// daily cap reads and the metrics show.
import type { InStatement } from "@libsql/client";
import type { Db } from "../../db/client.js";
import type { Query } from "../../db/query.js";

export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Adds spend to its day: every model call is paid for, whatever became of its verdict. */
export function spendUpsert(day: string, spend: { tokensIn: number; tokensOut: number; costUsd: number }): InStatement {
  return {
    sql: `INSERT INTO judge_spend (day, tokens, cost_usd) VALUES (?, ?, ?)
          ON CONFLICT (day) DO UPDATE SET tokens = tokens + excluded.tokens, cost_usd = cost_usd + excluded.cost_usd`,
    args: [day, spend.tokensIn + spend.tokensOut, spend.costUsd],
  };
}

export async function daySpend(db: Db, day: string): Promise<number> {
  const rs = await db.execute({ sql: "SELECT cost_usd FROM judge_spend WHERE day = ?", args: [day] });
  return Number(rs.rows[0]?.cost_usd ?? 0);
}

/** The judge's tokens and spend on the UTC day of `at` (the same row its spend cap reads). */
export const judgeSpendOn = (at: number): Query<{ tokens: number; costUsd: number }> => ({
  statement: { sql: "SELECT tokens, cost_usd FROM judge_spend WHERE day = ?", args: [dayOf(at)] },
  map: (rs) => ({ tokens: Number(rs.rows[0]?.tokens ?? 0), costUsd: Number(rs.rows[0]?.cost_usd ?? 0) }),
});
