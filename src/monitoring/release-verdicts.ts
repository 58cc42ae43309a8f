import type { Query } from "../db/query.js";

/** The judged verdicts of one Langfuse release over a window. */
export interface ReleaseVerdicts {
  release: string;
  /** The first verdict of the release in the window. */
  firstAt: number;
  pass: number;
  fail: number;
  partial: number;
  /** Of the judged, those whose cost Langfuse knew, the fulfilled among them, and what they cost the bot (USD). */
  costMeasured: number;
  costFulfilled: number;
  costUsd: number | null;
  /** The Langfuse versions and prompts ("name vN") its judged conversations carried. */
  versions: string[];
  prompts: string[];
}

// A few are enough to say which: a release judged under many prompt versions lists its first ones.
const SHOWN = 5;
const names = (json: unknown): string[] =>
  (JSON.parse(String(json)) as (string | null)[])
    .filter((v): v is string => v !== null)
    .sort()
    .slice(0, SHOWN);

/**
 * Judged verdicts (pass, fail, partial) of [from, to) by the release of the conversation they
 * judged; verdicts without a release are not counted. Named index: the planner would otherwise
 * take the status index and look up every verdict of the window; the partial index of migration 23
 * holds only verdicts with a release and every column read here.
 */
export const verdictsByRelease = (from: number, to: number): Query<ReleaseVerdicts[]> => ({
  statement: {
    sql: `SELECT release, MIN(analyzed_at) AS first, SUM(verification_status = 'pass') AS pass,
            SUM(verification_status = 'fail') AS fail, SUM(verification_status = 'partial') AS partial,
            COUNT(conversation_cost_usd) AS cost_measured, SUM(conversation_cost_usd) AS cost_usd,
            SUM(verification_status = 'pass' AND conversation_cost_usd IS NOT NULL) AS cost_fulfilled,
            json_group_array(DISTINCT release_version) AS versions, json_group_array(DISTINCT prompt) AS prompts
          FROM monitoring_results INDEXED BY monitoring_results_release
          WHERE release IS NOT NULL AND analyzed_at >= ? AND analyzed_at < ? AND verification_status IN ('pass', 'fail', 'partial')
          GROUP BY release`,
    args: [from, to],
  },
  map: (rs) =>
    rs.rows.map((r) => ({
      release: String(r.release),
      firstAt: Number(r.first),
      pass: Number(r.pass),
      fail: Number(r.fail),
      partial: Number(r.partial),
      costMeasured: Number(r.cost_measured),
      costFulfilled: Number(r.cost_fulfilled),
      costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
      versions: names(r.versions),
      prompts: names(r.prompts),
    })),
});
