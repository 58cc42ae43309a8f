// What conversations cost the bot (Langfuse's observation costs, summed per conversation on its
// verdict), beside what the judge spent on them: never added together. A conversation whose
// observations carried no cost is "not measured", never $0: it counts in `conversations`, not in
// `measured`, and adds nothing to either average.
import type { Query } from "../db/query.js";

/** Dollars as people read them: two significant digits under a cent, else cents (four digits under a dollar). */
export const usd = (x: number) => `$${x < 0.01 ? x.toPrecision(2) : x.toFixed(x < 1 ? 4 : 2)}`;

const H = 3600_000;
const DAY = 86_400_000;

/**
 * The keys cost is grouped by, each a column expression of `monitoring_results`: another key is one
 * more entry here, and every reader groups by it (cost by release is read with the release's
 * verdicts, monitoring/release-verdicts.ts).
 */
const GROUPS = {
  all: "''",
  hour: `(analyzed_at / ${H}) * ${H}`,
  environment: "COALESCE(environment, '')",
} as const satisfies Record<string, string>;
export type CostGrouping = keyof typeof GROUPS;

export interface ConversationCost {
  /** Verdicts in the window (judged, skipped or failed to judge): each a conversation the bot had. */
  conversations: number;
  /** Of them, those whose cost Langfuse knew. */
  measured: number;
  /** Measured conversations the judge found fulfilled. */
  fulfilled: number;
  /** What the measured conversations cost the bot, USD; null when none was measured. */
  botUsd: number | null;
  /** The bot's cost per measured conversation. */
  perConversationUsd: number | null;
  /** The bot's whole measured cost per fulfilled conversation: what one fulfilled conversation costs, failures included. */
  perFulfilledUsd: number | null;
  /** What the judge spent judging the same conversations, USD (kept apart from the bot's cost). */
  judgeUsd: number;
}

const costFigures = (r: { conversations: number; measured: number; fulfilled: number; botUsd: number | null; judgeUsd: number }) => ({
  ...r,
  botUsd: r.measured > 0 ? r.botUsd : null,
  perConversationUsd: r.measured > 0 && r.botUsd !== null ? r.botUsd / r.measured : null,
  perFulfilledUsd: r.fulfilled > 0 && r.botUsd !== null ? r.botUsd / r.fulfilled : null,
});

/** Cost of the conversations judged in [from, to), one entry per key of `by` (ordered by key). */
export function conversationCost(by: CostGrouping, from: number, to: number): Query<{ key: string; cost: ConversationCost }[]> {
  return {
    statement: {
      sql: `SELECT ${GROUPS[by]} AS key, COUNT(*) AS conversations, COUNT(conversation_cost_usd) AS measured,
              COALESCE(SUM(verification_status = 'pass' AND conversation_cost_usd IS NOT NULL), 0) AS fulfilled,
              SUM(conversation_cost_usd) AS bot_usd, COALESCE(SUM(cost_usd), 0) AS judge_usd
            FROM monitoring_results WHERE analyzed_at >= ? AND analyzed_at < ? GROUP BY 1 ORDER BY 1`,
      args: [from, to],
    },
    map: (rs) =>
      rs.rows.map((r) => ({
        key: String(r.key),
        cost: costFigures({
          conversations: Number(r.conversations),
          measured: Number(r.measured),
          fulfilled: Number(r.fulfilled),
          botUsd: r.bot_usd === null ? null : Number(r.bot_usd),
          judgeUsd: Number(r.judge_usd),
        }),
      })),
  };
}

/** The cost of several groups together (the day from its hours): sums, then the same ratios. */
export const costOfAll = (parts: readonly ConversationCost[]): ConversationCost =>
  costFigures(
    parts.reduce(
      (a, c) => ({
        conversations: a.conversations + c.conversations,
        measured: a.measured + c.measured,
        fulfilled: a.fulfilled + c.fulfilled,
        botUsd: c.botUsd === null ? a.botUsd : (a.botUsd ?? 0) + c.botUsd,
        judgeUsd: a.judgeUsd + c.judgeUsd,
      }),
      { conversations: 0, measured: 0, fulfilled: 0, botUsd: null as number | null, judgeUsd: 0 },
    ),
  );

/** No verdict at all: nothing measured. */
export const NO_COST: ConversationCost = costFigures({ conversations: 0, measured: 0, fulfilled: 0, botUsd: null, judgeUsd: 0 });

// Samples are binned to a micro-dollar: the rank test needs order and ties, not every digit, and
// a week of conversations is read as at most one row per distinct amount.
const BIN_DIGITS = 6;

/**
 * Measured conversation costs in [from, to) or, with `days`, in the same hours of each of the
 * `days` days before it (a baseline), as ascending amounts with how many conversations cost each.
 */
export function conversationCostSamples(from: number, to: number, days?: number): Query<{ usd: number; n: number }[]> {
  const width = Math.min(DAY, to - from);
  const ranges = days ? Array.from({ length: days }, (_, i) => [from - (i + 1) * DAY, from - (i + 1) * DAY + width]) : [[from, to]];
  return {
    statement: {
      sql: `SELECT ROUND(conversation_cost_usd, ${BIN_DIGITS}) AS usd, COUNT(*) AS n FROM monitoring_results
            WHERE (${ranges.map(() => "(analyzed_at >= ? AND analyzed_at < ?)").join(" OR ")}) AND conversation_cost_usd IS NOT NULL
            GROUP BY 1 ORDER BY 1`,
      args: ranges.flat(),
    },
    map: (rs) => rs.rows.map((r) => ({ usd: Number(r.usd), n: Number(r.n) })),
  };
}
