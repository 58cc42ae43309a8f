// The one module with SQL for agent_stats: per-agent counters kept in step with every execution
// write (recording.ts, the seed import), so the performance page reads one row per agent.
import type { InStatement } from "@libsql/client";
import type { Db } from "../../db/client.js";
import type { Conditional } from "../../db/guarded-batch.js";

export interface AgentPerformance {
  agentName: string;
  runs: number;
  completed: number;
  failed: number;
  successRate: number | null;
  minDurationMs: number | null;
  maxDurationMs: number | null;
  avgDurationMs: number | null;
}

const agentStatsSql = `SELECT agent_name, runs, completed, failed, duration_min AS min_ms, duration_max AS max_ms,
  CASE WHEN duration_count > 0 THEN duration_sum * 1.0 / duration_count END AS avg_ms FROM agent_stats`;

export function toPerformance(r: Record<string, unknown>): AgentPerformance {
  const completed = Number(r.completed ?? 0);
  const failed = Number(r.failed ?? 0);
  const n = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v)));
  return {
    agentName: String(r.agent_name),
    runs: Number(r.runs),
    completed,
    failed,
    successRate: completed + failed > 0 ? completed / (completed + failed) : null,
    minDurationMs: n(r.min_ms),
    maxDurationMs: n(r.max_ms),
    avgDurationMs: n(r.avg_ms),
  };
}

export async function performanceStats(db: Db): Promise<AgentPerformance[]> {
  const rs = await db.execute(`${agentStatsSql} ORDER BY agent_name`);
  return rs.rows.map(toPerformance);
}

/** One agent's counters, for a read batch. */
export const agentStatsOf = (name: string): InStatement => ({ sql: `${agentStatsSql} WHERE agent_name = ?`, args: [name] });

/** Counts a new execution of the agent, with the insert it belongs to. */
export const agentRunCounted =
  (agentName: string): Conditional =>
  (when) => ({
    sql: `INSERT INTO agent_stats (agent_name, runs) SELECT ?, 1 WHERE ${when}
          ON CONFLICT (agent_name) DO UPDATE SET runs = runs + 1`,
    args: [agentName],
  });

/** Counts an execution's end and its duration once, with the update it belongs to. */
export const agentRunEnded =
  (agentName: string, status: string, durationMs: number): Conditional =>
  (when) => ({
    sql: `UPDATE agent_stats SET completed = completed + ?, failed = failed + ?, duration_count = duration_count + 1,
            duration_sum = duration_sum + ?, duration_min = min(COALESCE(duration_min, ?), ?),
            duration_max = max(COALESCE(duration_max, ?), ?)
          WHERE agent_name = ? AND ${when}`,
    args: [
      status === "completed" ? 1 : 0,
      status === "failed" ? 1 : 0,
      durationMs,
      durationMs,
      durationMs,
      durationMs,
      durationMs,
      agentName,
    ],
  });

/** Counts an imported execution (its duration only when it finished), with the insert it belongs to. */
export const agentRunImported =
  (agentName: string, status: string, durationMs: number | null): Conditional =>
  (when) => ({
    sql: `INSERT INTO agent_stats (agent_name, runs, completed, failed, duration_count, duration_sum, duration_min, duration_max)
          SELECT ?, 1, ?, ?, ?, ?, ?, ? WHERE ${when}
          ON CONFLICT (agent_name) DO UPDATE SET runs = runs + 1, completed = completed + excluded.completed,
            failed = failed + excluded.failed, duration_count = duration_count + excluded.duration_count,
            duration_sum = duration_sum + excluded.duration_sum,
            duration_min = CASE WHEN excluded.duration_min IS NULL THEN duration_min ELSE min(COALESCE(duration_min, excluded.duration_min), excluded.duration_min) END,
            duration_max = CASE WHEN excluded.duration_max IS NULL THEN duration_max ELSE max(COALESCE(duration_max, excluded.duration_max), excluded.duration_max) END`,
    args: [
      agentName,
      status === "completed" ? 1 : 0,
      status === "failed" ? 1 : 0,
      durationMs === null ? 0 : 1,
      durationMs ?? 0,
      durationMs,
      durationMs,
    ],
  });
