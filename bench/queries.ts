import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InStatement } from "@libsql/client";
import { createApp } from "../src/app.js";
import { createDb, prepareLocalDb, type Db } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";
import { RECOUNT_MONITORING_HOURLY } from "../src/db/migrations/0009-monitoring-hourly.js";
import { depsFromEnv } from "../src/deps.js";
import { parseEnv } from "../src/env.js";
import { createLogger } from "../src/log.js";
import { closeDueCheckpoints } from "../src/stability/checkpoints.js";
import { LATENCY_BOUNDS } from "../src/stability/latency.js";
import { fmt, percentiles, table, type BenchResult } from "./lib.js";

const DAY = 86_400_000;
const KEY = "bench-api-key-0123456789abcdef";
const LARGE = [
  "webhook_events",
  "webhook_rollups",
  "monitoring_results",
  "orchestrations",
  "agent_executions",
  "events",
  "job_runs",
  "monitored_observations",
];
const SCALE = Number(process.env.BENCH_SCALE ?? 1);

const series = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;

/** Thirty days of data at the issue's volumes, generated inside SQLite. */
export async function seed(db: Db, now: number, scale = SCALE) {
  const start = now - 30 * DAY;
  const events = Math.round(5_000_000 * scale);
  const step = (30 * DAY) / events;
  const bucket = `CASE ${LATENCY_BOUNDS.map((b, i) => `WHEN lat <= ${b} THEN '${i}'`).join(" ")} ELSE '${LATENCY_BOUNDS.length}' END`;
  for (let from = 0; from < events; from += 1_000_000) {
    const count = Math.min(1_000_000, events - from);
    await db.execute(`${series(count)}
      INSERT INTO webhook_events (source, dedupe_key, type, received_at, occurred_at, latency_ms, payload)
      SELECT 'bot', 'e' || (i + ${from}), CASE (i + ${from}) % 3 WHEN 0 THEN 'message.received' WHEN 1 THEN 'message.processed' ELSE 'response.sent' END,
        ${start} + CAST((i + ${from}) * ${step} AS INTEGER), ${start} + CAST((i + ${from}) * ${step} AS INTEGER),
        CASE WHEN (i + ${from}) % 3 = 2 THEN 400 + ((i + ${from}) * 7919) % 9000 END, '{"bench":true}' FROM n`);
  }
  // The per-minute rollups of those events, computed the way ingestion computes them.
  await db.execute(`INSERT INTO webhook_rollups (minute, source, metric, key, value)
    SELECT minute, source, metric, key, CASE WHEN metric = 'latency_max' THEN MAX(v) ELSE SUM(v) END FROM (
      SELECT (received_at / 60000) * 60000 AS minute, source, 'accepted' AS metric, '' AS key, 1 AS v FROM webhook_events
      UNION ALL SELECT (received_at / 60000) * 60000, source, 'event', type, 1 FROM webhook_events
      UNION ALL SELECT (received_at / 60000) * 60000, source, 'delivery', '', 1 FROM webhook_events WHERE type = 'message.received'
      UNION ALL SELECT (received_at / 60000) * 60000, source, 'processed', '', 1 FROM webhook_events WHERE type = 'message.processed'
      UNION ALL SELECT (received_at / 60000) * 60000, source, 'response', '', 1 FROM webhook_events WHERE type = 'response.sent'
      UNION ALL SELECT (received_at / 60000) * 60000, source, 'latency_sum', '', latency_ms FROM webhook_events WHERE type = 'response.sent'
      UNION ALL SELECT (received_at / 60000) * 60000, source, 'latency_max', '', latency_ms FROM webhook_events WHERE type = 'response.sent'
      UNION ALL SELECT (received_at / 60000) * 60000, source, 'latency_bucket', ${bucket.replaceAll("lat", "latency_ms")}, 1 FROM webhook_events WHERE type = 'response.sent'
    ) GROUP BY minute, source, metric, key`);
  // Those events are counted: the rollup catch-up (src/stability/rollup-catch-up.ts) starts after them.
  await db.execute(
    "INSERT INTO ingest_mark (k, last_id) VALUES (1, (SELECT COALESCE(MAX(id), 0) FROM webhook_events)) ON CONFLICT (k) DO UPDATE SET last_id = excluded.last_id",
  );
  const results = Math.round(1_000_000 * scale);
  await db.execute(`${series(results)}
    INSERT INTO monitoring_results (session_id, activity_version, intent_type, intent_confidence, verification_status, verdict_summary, analyzed_at, diagnostic_status, diagnostic_report_json, model, tokens_in, tokens_out, cost_usd)
    SELECT 'conv-' || i, 1, CASE i % 6 WHEN 0 THEN 'book' WHEN 1 THEN 'reschedule' WHEN 2 THEN 'cancel' WHEN 3 THEN 'information' WHEN 4 THEN 'complaint' ELSE 'other' END, 0.9,
      CASE WHEN i % 20 < 14 THEN 'pass' WHEN i % 20 < 17 THEN 'fail' WHEN i % 20 < 19 THEN 'partial' ELSE 'skipped' END, 'summary ' || i,
      ${start} + CAST(i * ${(30 * DAY) / results} AS INTEGER),
      CASE WHEN i % 20 BETWEEN 14 AND 18 THEN 'complete' END,
      CASE WHEN i % 20 BETWEEN 14 AND 18 THEN json_object('category', CASE i % 4 WHEN 0 THEN 'tool_error' WHEN 1 THEN 'knowledge_gap' WHEN 2 THEN 'prompt_or_policy' ELSE 'integration_failure' END) END,
      'gpt-4o-mini', 900, 120, 0.0002 FROM n`);
  await db.execute(RECOUNT_MONITORING_HOURLY);
  const runs = Math.round(200_000 * scale);
  const runStep = (30 * DAY) / runs;
  await db.execute(`${series(runs)}
    INSERT INTO orchestrations (id, session_id, task_description, status, started_at, completed_at, duration_ms, total_tasks, completed_tasks, failed_tasks, last_progress_at, completion_source)
    SELECT i + 1, 'run-' || i, 'pipeline run ' || i, CASE WHEN i % 10 < 8 THEN 'completed' WHEN i % 10 = 8 THEN 'failed' ELSE 'partial' END,
      ${start} + CAST(i * ${runStep} AS INTEGER), ${start} + CAST(i * ${runStep} AS INTEGER) + 600000, 600000, 5,
      CASE WHEN i % 10 < 8 THEN 5 WHEN i % 10 = 8 THEN 0 ELSE 3 END, CASE WHEN i % 10 < 8 THEN 0 WHEN i % 10 = 8 THEN 5 ELSE 2 END,
      ${start} + CAST(i * ${runStep} AS INTEGER), 'reported' FROM n`);
  await db.execute(`${series(runs * 5)}
    INSERT INTO agent_executions (orchestration_id, agent_session_id, agent_name, task_number, status, started_at, completed_at, duration_ms, files_created, files_modified)
    SELECT (i / 5) + 1, 'exec-' || i, CASE i % 6 WHEN 0 THEN 'planner' WHEN 1 THEN 'coder' WHEN 2 THEN 'reviewer' WHEN 3 THEN 'tester' WHEN 4 THEN 'deployer' ELSE 'docs' END,
      i % 5, CASE WHEN i % 17 = 0 THEN 'failed' ELSE 'completed' END, ${start} + CAST((i / 5) * ${runStep} AS INTEGER) + (i % 5) * 60000,
      ${start} + CAST((i / 5) * ${runStep} AS INTEGER) + (i % 5) * 60000 + 30000 + (i * 131) % 90000, 30000 + (i * 131) % 90000, 1, 2 FROM n`);
  await db.execute(`INSERT OR REPLACE INTO agent_stats (agent_name, runs, completed, failed, duration_count, duration_sum, duration_min, duration_max)
    SELECT agent_name, COUNT(*), SUM(status = 'completed'), SUM(status = 'failed'), COUNT(duration_ms), SUM(duration_ms), MIN(duration_ms), MAX(duration_ms) FROM agent_executions GROUP BY agent_name`);
  await db.execute(`${series(43_200)}
    INSERT INTO job_runs (id, job, started_at, finished_at, status, duration_ms, summary) SELECT 'hb-' || i, 'heartbeat', ${start} + i * 60000, ${start} + i * 60000 + 40, 'ok', 40, '{}' FROM n`);
  await db.execute(`${series(8640)}
    INSERT INTO job_runs (id, job, started_at, finished_at, status, duration_ms, summary) SELECT 'mon-' || i, 'monitor', ${start} + i * 300000, ${start} + i * 300000 + 9000, 'ok', 9000, '{}' FROM n`);
  return { events, results, runs, executions: runs * 5 };
}

/** A Db that remembers the statements it ran, for EXPLAIN QUERY PLAN. */
function recording(db: Db) {
  const seen: InStatement[] = [];
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === "execute")
        return (stmt: InStatement) => (seen.push(stmt), (value as (s: InStatement) => ReturnType<Db["execute"]>).call(target, stmt));
      if (prop === "batch")
        return (stmts: InStatement[], mode?: "read" | "write" | "deferred") => (
          seen.push(...stmts), (value as Db["batch"]).call(target, stmts, mode)
        );
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: proxy, seen };
}

export async function queriesBenchmark(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-queries-"));
  const url = `file:${join(dir, "queries.db")}`;
  try {
    const raw = createDb({ url });
    await prepareLocalDb(raw, url);
    await migrate(raw);
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const seedStart = performance.now();
    const volumes = await seed(raw, now);
    const env = parseEnv({ VIGIL_API_KEY: KEY, TURSO_DATABASE_URL: url, LOG_LEVEL: "error" });
    const log = createLogger({ level: "error" });
    await closeDueCheckpoints(depsFromEnv(env, { db: raw, log, clock: () => now, monitoring: undefined }), now);
    await raw.execute("ANALYZE");
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const rec = recording(raw);
    const app = createApp(depsFromEnv(env, { db: rec.db, log, clock: () => now, monitoring: undefined }));
    const auth = { authorization: `Bearer ${KEY}` };
    const endpoints: [string, string, Record<string, string>][] = [
      ["24 h stability report", "/api/stability/report?hours=24", auth],
      ["stats/health", "/api/stats/health?hours=24", auth],
      ["stats/performance", "/api/stats/performance", auth],
      ["failures", "/api/failures?limit=10", auth],
      ["monitoring/summary", "/api/monitoring/summary?hours=24", auth],
      ["status page", "/status", { authorization: `Basic ${Buffer.from(`bench:${KEY}`).toString("base64")}` }],
    ];
    const rows: (string | number)[][] = [];
    const plans: string[] = [];
    const goals: BenchResult["goals"] = [];
    const scans: string[] = [];
    for (const [name, path, headers] of endpoints) {
      rec.seen.length = 0;
      const first = await app.request(path, { headers });
      if (first.status !== 200) throw new Error(`${path} answered ${first.status}`);
      await first.arrayBuffer();
      const statements = [...new Map(rec.seen.map((s): [string, InStatement] => [typeof s === "string" ? s : s.sql, s])).values()];
      for (let i = 0; i < 3; i++) await (await app.request(path, { headers })).arrayBuffer();
      const samples: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        await (await app.request(path, { headers })).arrayBuffer();
        samples.push(performance.now() - t0);
      }
      const p = percentiles(samples);
      rows.push([name, fmt(p.p50), fmt(p.p95), statements.length]);
      goals.push({ goal: `${name}: p95 < 50 ms`, met: p.p95 < 50, measured: `${fmt(p.p95)} ms` });
      plans.push(`**${name}** (\`${path.split("?")[0]}\`)`, "", "```");
      for (const stmt of statements) {
        const sql = typeof stmt === "string" ? stmt : stmt.sql;
        // The plans that matter are the reads'. EXPLAIN of the rollup catch-up's writes (which
        // readers now run first) left a statement un-reset on the connection in @libsql/client
        // 0.18, so the next transaction's COMMIT failed with "SQL statements in progress".
        if (/\b(INSERT|UPDATE|DELETE)\b/i.test(sql)) continue;
        const args = typeof stmt === "string" ? [] : (stmt.args as never);
        const plan = await raw.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args });
        const lines = plan.rows.map((r) => String(r.detail));
        plans.push(sql.replace(/\s+/g, " ").trim().slice(0, 220), ...lines.map((l) => `    ${l}`));
        for (const l of lines) if (new RegExp(`^SCAN (${LARGE.join("|")})\\b`).test(l)) scans.push(`${name}: ${l}`);
      }
      plans.push("```", "");
    }
    raw.close();
    goals.push({ goal: "no query scans a large table", met: scans.length === 0, measured: scans.length === 0 ? "none" : scans.join("; ") });
    return {
      title: "Queries at scale",
      lines: [
        `Seeded: ${volumes.events.toLocaleString("en")} webhook events over 30 days and their per-minute rollups, ${volumes.results.toLocaleString("en")} monitoring results, ${volumes.runs.toLocaleString("en")} runs with ${volumes.executions.toLocaleString("en")} executions, 30 days of job runs — in ${fmt(seedSeconds, 0)} s (not counted). Each endpoint called 40 times in process after 3 warm-up calls.`,
        "",
        ...table(["endpoint", "p50 ms", "p95 ms", "SQL statements"], rows),
        "",
        "<details><summary>EXPLAIN QUERY PLAN of every statement each endpoint runs</summary>",
        "",
        ...plans,
        "</details>",
      ],
      goals,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
