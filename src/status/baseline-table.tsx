import type { FC } from "hono/jsx";
import { type Comparison, formatP } from "../regression/detect.js";

/** Each tested metric, now against the same hours of the baseline days; a regression is marked. Text only: hono/jsx escapes it. */
export const BaselineTable: FC<{ rows: Comparison[]; days: number }> = ({ rows, days }) => (
  <>
    <h3>Against the bot's own baseline</h3>
    {rows.length === 0 ? (
      <p id="baseline-empty" class="muted empty-note">
        Not enough traffic yet to compare with the same hours of the previous {days} days.
      </p>
    ) : (
      <table id="baseline">
        <thead>
          <tr>
            <th>Metric</th>
            <th>Window</th>
            <th>Baseline (same hours, {days} days)</th>
            <th>Now</th>
            <th>Change</th>
            <th>p</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr class={r.regression ? "regression" : undefined}>
              <td>
                {r.metric} <span class="muted">({r.scope})</span>
                {r.regression && <strong> — regression</strong>}
              </td>
              <td>{r.window}</td>
              <td>{r.baseline}</td>
              <td>{r.now}</td>
              <td>{r.effect}</td>
              <td>{formatP(r.p)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </>
);
