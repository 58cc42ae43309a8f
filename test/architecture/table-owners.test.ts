import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrations } from "../../src/db/migrations/index.js";
import { scanSql, touched } from "./sql-tables.js";

// A table has one owner: the one module whose SQL reads and writes it. The status page, the alert
// signals and the report call their owner's queries (Query<T>, batched by the caller) instead of
// writing SQL against other domains' tables, so a column changes in one file. Migrations create
// and change every table and are not read here.

/** Each table's owner: a file, or a folder ("…/") where the table's SQL is still spread over its domain's files. */
const OWNERS: Record<string, string> = {
  job_leases: "src/jobs/lease.ts",
  job_runs: "src/jobs/",
  webhook_events: "src/stability/",
  webhook_rollups: "src/stability/",
  webhook_rollups_15m: "src/stability/",
  ingest_mark: "src/stability/rollup-catch-up.ts",
  signature_failures: "src/stability/retention.ts",
  stability_checkpoints: "src/stability/checkpoints.ts",
  webhook_replay_digests: "src/stability/",
  observation_restarts: "src/stability/observation.ts",
  orchestrations: "src/runs/",
  agent_executions: "src/runs/",
  agent_stats: "src/runs/",
  run_reports: "src/runs/",
  run_archives: "src/runs/",
  events: "src/events/",
  monitor_state: "src/monitoring/store/state.ts",
  monitored_observations: "src/monitoring/store/sessions.ts",
  monitor_sessions: "src/monitoring/store/sessions.ts",
  monitoring_results: "src/monitoring/store/results.ts",
  monitoring_hourly: "src/monitoring/store/results.ts",
  judge_spend: "src/monitoring/store/spend.ts",
  alerts: "src/alerts/",
  alert_transitions: "src/alerts/",
  silences: "src/alerts/silences.ts",
  notifications: "src/alerts/",
  health_probe: "src/db/write-probe.ts",
  batch_guards: "src/db/guarded-batch.ts",
};

/** Files that still read a table they do not own, and why; this list only shrinks. */
const NOT_YET_MOVED: Record<string, string[]> = {
  // The 24 h outcomes by category and flag: being replaced by an hourly outcome rollup of their own.
  "src/monitoring/metric-queries.ts": ["monitoring_results"],
};

/** Files whose SQL names tables that are not theirs to own, and why. */
const NOT_OWNERS: Record<string, string> = {
  "src/db/query.ts": "latestWithStatus builds SQL for the table its caller names (the caller owns it)",
  "src/cli/import-seed.ts": "reads the seed's own monitoring.db, whose tables share Vigil's names",
};

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
const scans = sources("src").map((f) => [f.split("\\").join("/"), scanSql(f, readFileSync(f, "utf8"), tables)] as const);
const users = (table: string) =>
  scans.filter(([f, s]) => !(f in NOT_OWNERS) && !NOT_YET_MOVED[f]?.includes(table) && touched(s).has(table)).map(([f]) => f);
const within = (file: string, owner: string) => (owner.endsWith("/") ? file.startsWith(owner) : file === owner);

describe("table owners", () => {
  it("sees every table of the schema, digits in the name included", () => {
    expect([...tables]).toEqual(expect.arrayContaining(["webhook_events", "webhook_rollups_15m", "monitoring_results", "job_runs"]));
  });

  it("names one owner for each table of the schema, and only for those", () => {
    expect(Object.keys(OWNERS).sort()).toEqual([...tables].sort());
  });

  it.each([...tables].sort())("%s is read and written only by its owner", (table) => {
    expect(users(table).filter((f) => !within(f, OWNERS[table]!))).toEqual([]);
  });

  it("lists as not yet moved only files that still touch those tables", () => {
    const stale = Object.entries(NOT_YET_MOVED).flatMap(([f, ts]) =>
      ts.filter((t) => !scans.some(([g, s]) => g === f && touched(s).has(t))),
    );
    expect(stale).toEqual([]);
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
});
