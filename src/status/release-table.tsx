import type { FC } from "hono/jsx";
import { formatP } from "../regression/detect.js";
import { type ReleaseComparison, releaseRows } from "../regression/releases.js";

/** The current release beside the previous one, and the tests between them. Text only: hono/jsx escapes release names. */
export const ReleaseTable: FC<{ releases: ReleaseComparison }> = ({ releases }) => {
  const { why, rows } = releaseRows(releases);
  const [names, ...metrics] = rows;
  return (
    <>
      <h3>Current release against the previous one</h3>
      {why && (
        <p id="releases-not-measured" class="muted empty-note">
          Current vs previous release: {why}.
        </p>
      )}
      {names && (
        <table id="releases">
          <thead>
            <tr>
              <th>Metric</th>
              <th>Current: {names[1]}</th>
              <th>Previous: {names[2]}</th>
            </tr>
          </thead>
          <tbody>
            {metrics.map(([metric, current, previous]) => (
              <tr>
                <td>{metric}</td>
                <td>{current}</td>
                <td>{previous}</td>
              </tr>
            ))}
            {releases.comparisons.map((c) => (
              <tr class={c.regression ? "regression" : undefined}>
                <td>
                  {c.metric} tested{c.regression && <strong> — regression</strong>}
                </td>
                <td colspan={2}>
                  now {c.now} vs {c.baseline}: {c.effect}, p = {formatP(c.p)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
};
