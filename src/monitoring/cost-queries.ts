// What conversations cost the bot (Langfuse's observation costs, summed per conversation on its
// verdict), beside what the judge spent on them: never added together. A conversation whose
// observations carried no cost is "not measured", never $0: it counts in `conversations`, not in
// `measured`, and adds nothing to either average.
import type { Query } from "../db/query.js";
import { costPerHour, type HourCost } from "./store/outcomes.js";
import { costByKey, type CostGrouping } from "./store/results.js";

/** Dollars as people read them: two significant digits under a cent, else cents (four digits under a dollar). */
export const usd = (x: number) => `$${x < 0.01 ? x.toPrecision(2) : x.toFixed(x < 1 ? 4 : 2)}`;

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

const withFigures = (rows: Query<HourCost[]>): Query<{ key: string; cost: ConversationCost }[]> => ({
  statement: rows.statement,
  map: (rs) => rows.map(rs).map(({ key, ...r }) => ({ key, cost: costFigures(r) })),
});

/** Cost of the conversations judged in [from, to), one entry per key of `by` (ordered by key). */
export const conversationCost = (by: CostGrouping, from: number, to: number) => withFigures(costByKey(by, from, to));

/** Cost of the conversations judged in [from, to), one entry per hour (ordered), from the quarter-hour outcomes. */
export const conversationCostByHour = (from: number, to: number) => withFigures(costPerHour(from, to));

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
