import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrations } from "../../src/db/migrations/index.js";
import { scanSql, touched } from "./sql-tables.js";

// A table has one owner: the one module whose SQL reads and writes it. The status page, the alert
// signals and the report call their owner's queries (Query<T>, batched by the caller) instead of
// writing SQL against other domains' tables, so a column changes in one file. Migrations create
// and change every table and are not read here.

/** Each table and its owner: the one module with its SQL. Two tables share an owner only where a statement needs both. */
const OWNERS: Record<string, string> = {
  job_leases: "src/job-records/lease.ts",
  job_runs: "src/job-records/job-runs.ts",
  webhook_events: "src/stability/store/webhook-events.ts",
  webhook_rollups: "src/stability/store/webhook-rollups.ts",
  webhook_rollups_15m: "src/stability/store/webhook-rollups-15m.ts",
  ingest_mark: "src/stability/store/ingest-mark.ts",
  signature_failures: "src/stability/retention.ts",
  stability_checkpoints: "src/stability/checkpoints.ts",
  webhook_replay_digests: "src/stability/replays.ts",
  observation_restarts: "src/stability/observation.ts",
  // Their statements join them (a run's executions by its session id, counted for its archive and its backlog), so one module owns both.
  orchestrations: "src/runs/store/runs.ts",
  agent_executions: "src/runs/store/runs.ts",
  agent_stats: "src/runs/store/agent-stats.ts",
  // Written together when a run finishes, deleted together once it is gone.
  run_reports: "src/runs/store/archives.ts",
  run_archives: "src/runs/store/archives.ts",
  events: "src/event-log/event-log.ts",
  monitor_state: "src/monitoring/store/state.ts",
  monitored_observations: "src/monitoring/store/sessions.ts",
  monitor_sessions: "src/monitoring/store/sessions.ts",
  monitoring_results: "src/monitoring/store/results.ts",
  // Its reads embed the ragged edges of their quarter hours as store/results.ts's parts (SQL on the verdicts, in one statement).
  verdict_outcomes_15m: "src/monitoring/store/outcomes.ts",
  monitoring_hourly: "src/monitoring/store/hourly.ts",
  judge_spend: "src/monitoring/store/spend.ts",
  // One module for alerts and notifications: the escalation inserts notifications from the alerts it
  // reads, guarded by NOT EXISTS on notifications in that same statement (so overlapping heartbeats
  // escalate once), and a new alert's notifications find it by fingerprint in the batch that opens it.
  alerts: "src/alerts/store/alerts.ts",
  alert_transitions: "src/alerts/store/transitions.ts",
  silences: "src/alerts/silences.ts",
  notifications: "src/alerts/store/alerts.ts",
  health_probe: "src/db/write-probe.ts",
  batch_guards: "src/db/guarded-batch.ts",
};

/** Files whose SQL names tables that are not theirs to own, and why. */
const NOT_OWNERS: Record<string, string> = {
  "src/db/query.ts": "olderThan and latestWithStatus build SQL for the table their caller names (the caller touches it)",
  "src/cli/import-seed.ts": "reads the seed's own monitoring.db, whose tables share Vigil's names",
};
/** Helpers that take a table name and build its SQL: the caller touches that table. */
const TABLE_HELPERS = new Set(["olderThan", "latestWithStatus"]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path === join("src", "db", "migrations") ? [] : sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const tables = new Set(
  migrations.flatMap((m) =>
    m.statements.flatMap((s) => [...String(s).matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_][a-z0-9_]*)\b/g)].map((x) => x[1]!)),
  ),
);
const scans = sources("src").map((f) => [f.split("\\").join("/"), scanSql(f, readFileSync(f, "utf8"), tables, TABLE_HELPERS)] as const);
const users = (table: string) => scans.filter(([f, s]) => !(f in NOT_OWNERS) && touched(s).has(table)).map(([f]) => f);

describe("table owners", () => {
  it("sees every table of the schema, digits in the name included", () => {
    expect([...tables]).toEqual(expect.arrayContaining(["webhook_events", "webhook_rollups_15m", "monitoring_results", "job_runs"]));
  });

  it("names one owner for each table of the schema, and only for those", () => {
    expect(Object.keys(OWNERS).sort()).toEqual([...tables].sort());
  });

  it.each(Object.keys(OWNERS).sort())("%s is read and written by its owner only", (table) => {
    expect(users(table)).toEqual([OWNERS[table]]);
  });

  it("sees a table taken from a placeholder in every file whose SQL takes one", () => {
    const unresolved = scans.filter(([f, s]) => s.dynamic && s.literals.size === 0 && !(f in NOT_OWNERS)).map(([f]) => f);
    expect(unresolved).toEqual([]);
  });

  it("the HTTP layer and the status page touch no table themselves", () => {
    const offenders = scans.filter(([f, s]) => /^src\/(http|status)\//.test(f) && touched(s).size > 0).map(([f]) => f);
    expect(offenders).toEqual([]);
  });
});

describe("the SQL scan", () => {
  const known = new Set(["webhook_rollups", "webhook_rollups_15m", "monitor_state"]);
  const scan = (text: string) => [...touched(scanSql("x.ts", text, known))].sort();

  it("reads table names from SQL in strings and templates, not from comments", () => {
    expect(scan('// SELECT * FROM monitor_state\nconst q = "x";')).toEqual([]);
    expect(scan(`const q = \`SELECT value FROM monitor_state WHERE key = \${k}\`;`)).toEqual(["monitor_state"]);
  });

  it("resolves a table taken from a placeholder to the table names the file spells", () => {
    const text = `type T = "webhook_rollups" | "webhook_rollups_15m";
      const upsert = (table: T) => \`INSERT INTO \${table} (slot) VALUES (?)\`;`;
    expect(scan(text)).toEqual(["webhook_rollups", "webhook_rollups_15m"]);
    // The same literals beside SQL that names its table itself are not table references.
    expect(scan(`const metric = "webhook_rollups"; const q = "SELECT 1 FROM monitor_state";`)).toEqual(["monitor_state"]);
  });

  it("counts a table named to a helper that builds its SQL for the caller", () => {
    const text = `const old = olderThan("monitor_state", "updated_at"); log("webhook_rollups");`;
    expect([...touched(scanSql("x.ts", text, known, new Set(["olderThan"])))]).toEqual(["monitor_state"]);
  });
});
