import type { FC } from "hono/jsx";
import { usd } from "../monitoring/cost-queries.js";
import type { StabilityReport } from "../report/stability-report.js";

const money = (x: number | null) => (x === null ? "not measured" : usd(x));
const hourOf = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** The bot's cost per conversation and per fulfilled one (Langfuse's costs), the judge's apart; unknown cost is "not measured", never $0. */
export const CostTable: FC<{ cost: StabilityReport["cost"]; hours: number }> = ({ cost: c, hours }) => (
  <>
    <h3>Cost per conversation</h3>
    <p id="cost-summary">
      {c.measured === 0
        ? `Bot cost not measured in the last ${hours} h: ${c.conversations === 0 ? "no conversation judged" : `none of ${c.conversations} conversation(s) carried a Langfuse cost`}.`
        : `Last ${hours} h: ${money(c.perConversationUsd)} per conversation, ${money(c.perFulfilledUsd)} per fulfilled conversation (${usd(c.botUsd!)} over ${c.measured} of ${c.conversations} conversations, ${c.fulfilled} fulfilled).`}{" "}
      <span class="muted">
        Judge, kept apart: {usd(c.judgeUsd)} judging these conversations, {usd(c.judgeTodayUsd)} today (UTC).
      </span>
    </p>
    {c.hourly.some((h) => h.measured > 0) && (
      <table id="cost-hourly">
        <thead>
          <tr>
            <th>Hour (UTC)</th>
            <th>Conversations</th>
            <th>Per conversation</th>
            <th>Per fulfilled</th>
            <th>Judge</th>
          </tr>
        </thead>
        <tbody>
          {c.hourly.map((h) => (
            <tr>
              <td>{hourOf(h.hour)}</td>
              <td>
                {h.measured} / {h.conversations}
              </td>
              <td>{money(h.perConversationUsd)}</td>
              <td>{money(h.perFulfilledUsd)}</td>
              <td>{usd(h.judgeUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </>
);
