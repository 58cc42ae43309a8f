import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVigilClient } from "../../src/client/vigil-client.js";
import { API_KEY, CRON_SECRET } from "../helpers/deps.js";
import { runAgainst, startServer, type ServerProcess } from "../helpers/server-process.js";

// The CLI as a team that used seed 002's tracker uses it: `npx vigil …` (the package's bin),
// strict flags, no terminal, more than one page of runs, and reading the database directly.
const dir = mkdtempSync(join(tmpdir(), "vigil-seed-cli-"));
const dbUrl = `file:${join(dir, "vigil.db")}`;
let server: ServerProcess;

// What `npx vigil` runs: the bin of package.json.
const vigil = (args: string[], env: Record<string, string> = {}) => runAgainst(server, ["bin/vigil.mjs", ...args], env);

beforeAll(async () => {
  server = await startServer({ TURSO_DATABASE_URL: dbUrl, VIGIL_API_KEY: API_KEY, CRON_SECRET, LOCAL_SCHEDULER: "false" });
  const client = createVigilClient({ url: server.baseUrl, apiKey: API_KEY });
  const run = await client.startOrchestration({ sessionId: "seed-run", taskDescription: "Build and deploy", totalTasks: 1 });
  await client.startAgentExecution({ agentSessionId: "seed-run-a", agentName: "backend-agent", orchestrationId: run, taskNumber: 1 });
  await client.completeAgentExecution({ agentSessionId: "seed-run-a", status: "failed", filesCreated: 3, filesModified: 5 });
  await client.completeOrchestration({ sessionId: "seed-run", status: "failed", completedTasks: 0, failedTasks: 1 });
  // More runs than one page of the API (500), so --all has to follow the cursor.
  for (let i = 0; i < 520; i += 40)
    await Promise.all(
      Array.from({ length: Math.min(40, 520 - i) }, (_, j) =>
        client.startOrchestration({ sessionId: `bulk-${i + j}`, taskDescription: "bulk", totalTasks: 1 }),
      ),
    );
  await fetch(`${server.baseUrl}/api/cron/heartbeat`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
}, 120_000);
afterAll(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe("npx vigil", () => {
  it("`npx vigil export > all.json` writes valid JSON, nothing else", async () => {
    const out = join(dir, "all.json");
    const env = { ...process.env, VIGIL_URL: server.baseUrl, VIGIL_API_KEY: API_KEY };
    await new Promise<void>((resolve, reject) =>
      execFile("sh", ["-c", `npx vigil export > ${out}`], { env }, (error) => (error ? reject(error) : resolve())),
    );
    const data = JSON.parse(readFileSync(out, "utf8"));
    expect(data.orchestrations).toHaveLength(521);
    expect(statSync(out).size).toBeGreaterThan(0);
  }, 60_000);

  it("refuses an unknown flag with exit 1 and the usage, instead of ignoring it", async () => {
    const r = await vigil(["list", "--jsno"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Unknown option '--jsno'");
    expect(r.stderr).toContain("Usage: npx vigil <command>");
    expect(r.stdout).toBe("");
  });

  it("list pages through the API's cursor: 50 by default, --limit N, --all", async () => {
    const count = async (args: string[]) => JSON.parse((await vigil(["list", ...args, "--json"])).stdout).runs.length;
    expect(await count([])).toBe(50);
    expect(await count(["--limit", "7"])).toBe(7);
    expect(await count(["--all"])).toBe(521);
    expect((await vigil(["list"])).stdout).toContain("(more: --limit N or --all)");
  }, 60_000);

  it("cleanup without a terminal: refused, then answered by VIGIL_ASSUME_YES=1", async () => {
    expect((await vigil(["cleanup", "30"])).code).toBe(1);
    const yes = await vigil(["cleanup", "30", "--json"], { VIGIL_ASSUME_YES: "1" });
    expect([yes.code, JSON.parse(yes.stdout)]).toEqual([0, { deleted: 0, blocked: [] }]);
  });

  it("jobs, alerts ack, silence, summary and archive", async () => {
    expect((await vigil(["jobs"])).stdout).toMatch(/heartbeat\s+\* \* \* \* \*\s+\S+/);
    const firing = JSON.parse((await vigil(["alerts", "firing", "--json"])).stdout) as { id: number; rule: string }[];
    const failed = firing.find((a) => a.rule === "run_failed")!;
    const ack = await vigil(["alerts", "ack", String(failed.id)]);
    expect([ack.code, ack.stdout]).toEqual([0, expect.stringContaining(`Acknowledged alert ${failed.id}`)]);

    const silenced = await vigil(["silence", "rule=run_stalled", "--for", "2h", "--comment", "deploying"]);
    expect(silenced.stdout).toMatch(/^Silence (\d+): rule=run_stalled until /);
    expect((await vigil(["silence"])).stdout).toMatch(/rule=run_stalled\s+\S+ \S+\s+deploying/);
    expect((await vigil(["silence", "rule=x", "--for", "2h"])).code).toBe(1);
    const id = /^Silence (\d+)/.exec(silenced.stdout)![1]!;
    expect((await vigil(["silence", "expire", id])).stdout).toContain(`Silence ${id} ended.`);

    const summary = await vigil(["summary", "seed-run"]);
    expect(summary.stdout).toContain("Run seed-run: failed   0/1 tasks (1 failed)");
    expect(summary.stdout).toContain("failed: backend-agent seed-run-a");
    const archive = JSON.parse((await vigil(["archive", "seed-run"])).stdout);
    expect(archive).toMatchObject({ sessionId: "seed-run", executions: [{ agentSessionId: "seed-run-a", filesCreated: 3 }] });
  }, 120_000);

  it("--db reads the database with no server, and refuses to write to it", async () => {
    const noServer = { VIGIL_URL: "http://127.0.0.1:9" };
    const show = await vigil(["show", "seed-run", "--db", dbUrl], noServer);
    expect([show.code, show.stdout]).toEqual([0, expect.stringContaining("Executions:  1 (0 completed, 1 failed, 0 running)")]);
    const exported = await vigil(["export", "seed-run", "--db", dbUrl], noServer);
    expect(JSON.parse(exported.stdout).orchestrations).toHaveLength(1);
    const write = await vigil(["alerts", "ack", "1", "--db", dbUrl], noServer);
    expect(write.code).toBe(5);
    expect(write.stderr).toContain("--db reads the database");
    const typo = await vigil(["list", "--db", `file:${join(dir, "no-such.db")}`], noServer);
    expect([typo.code, typo.stderr]).toEqual([1, expect.stringContaining("no such database file")]);
  }, 60_000);
});

// Seed 002's schema ("Database Schema") and seed 001's monitoring_results, as the seed's
// better-sqlite3 code created them: SQLite datetime text, integer booleans.
const SEED_SCHEMA = [
  `CREATE TABLE orchestrations (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL UNIQUE, task_description TEXT,
    status TEXT NOT NULL, started_at TEXT NOT NULL DEFAULT (datetime('now')), completed_at TEXT, duration_ms INTEGER, total_tasks INTEGER,
    completed_tasks INTEGER DEFAULT 0, failed_tasks INTEGER DEFAULT 0, git_commit_hash TEXT, plan_file_path TEXT, progress_file_path TEXT)`,
  `CREATE TABLE agent_executions (id INTEGER PRIMARY KEY AUTOINCREMENT, orchestration_id INTEGER REFERENCES orchestrations(id) ON DELETE CASCADE,
    agent_session_id TEXT NOT NULL, agent_name TEXT NOT NULL, task_id TEXT, task_number INTEGER, status TEXT NOT NULL,
    started_at TEXT NOT NULL DEFAULT (datetime('now')), completed_at TEXT, duration_ms INTEGER, retry_count INTEGER DEFAULT 0,
    self_healed INTEGER DEFAULT 0, files_created INTEGER DEFAULT 0, files_modified INTEGER DEFAULT 0, error_message TEXT,
    summary_report_path TEXT, session_log_path TEXT)`,
  `CREATE TABLE monitoring_results (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL UNIQUE, intent_type TEXT,
    intent_confidence REAL, verification_status TEXT, verdict_summary TEXT, diagnostic_status TEXT, diagnostic_report_json TEXT,
    analyzed_at TEXT NOT NULL DEFAULT (datetime('now')), diagnosed_at TEXT)`,
];

async function buildSeedDb(path: string) {
  const seed = createClient({ url: `file:${path}` });
  await seed.batch(SEED_SCHEMA, "write");
  const statements = [];
  for (let i = 1; i <= 30; i++) {
    const status = i % 5 === 0 ? "failed" : i % 7 === 0 ? "running" : "completed";
    statements.push({
      sql: `INSERT INTO orchestrations (session_id, task_description, status, started_at, completed_at, duration_ms, total_tasks, completed_tasks, failed_tasks)
            VALUES (?, 'Build and deploy', ?, ?, ?, ?, 5, ?, ?)`,
      args: [
        `seed-${i}`,
        status,
        `2025-12-0${1 + (i % 5)} 10:00:00`,
        status === "running" ? null : `2025-12-0${1 + (i % 5)} 10:20:00`,
        status === "running" ? null : 1_200_000,
        status === "completed" ? 5 : 2,
        status === "failed" ? 3 : 0,
      ],
    });
    for (let j = 1; j <= 3; j++)
      statements.push({
        sql: `INSERT INTO agent_executions (orchestration_id, agent_session_id, agent_name, task_number, status, started_at, completed_at,
                duration_ms, retry_count, self_healed, files_created, files_modified, error_message)
              VALUES (?, ?, ?, ?, ?, '2025-12-01 10:00:00', '2025-12-01 10:05:00', 300000, ?, ?, 2, 3, ?)`,
        args: [
          i,
          `seed-${i}-agent-${j}`,
          `agent-${j}`,
          j,
          j === 3 && status === "failed" ? "failed" : "completed",
          j - 1,
          j === 2 ? 1 : 0,
          j === 3 && status === "failed" ? "tsc failed" : null,
        ],
      });
  }
  for (let i = 1; i <= 12; i++)
    statements.push({
      sql: `INSERT INTO monitoring_results (session_id, intent_type, intent_confidence, verification_status, verdict_summary, diagnostic_status, analyzed_at)
            VALUES (?, 'book', 0.9, ?, 'checked', ?, '2025-12-03 09:00:00')`,
      args: [`call-${i}`, i % 4 === 0 ? "fail" : "pass", i === 4 ? "complete" : null],
    });
  await seed.batch(statements, "write");
  seed.close();
}

describe("npx vigil import-seed", () => {
  it("moves a seed monitoring.db in with matching counts: a dry run writes nothing, a second run adds nothing", async () => {
    const seedPath = join(dir, "monitoring.db");
    await buildSeedDb(seedPath);
    const target = `file:${join(dir, "imported.db")}`;
    const run = async (...extra: string[]) => {
      const r = await vigil(["import-seed", seedPath, "--db", target, "--json", ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };

    expect(await run("--dry-run")).toMatchObject({
      dryRun: true,
      orchestrations: { read: 30, imported: 30, existing: 0 },
      agentExecutions: { read: 90, imported: 90, existing: 0 },
      monitoringResults: { read: 12, imported: 12, existing: 0 },
    });
    const db = createClient({ url: target });
    const count = async (table: string) => Number((await db.execute(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n);
    expect(await count("orchestrations")).toBe(0);

    expect(await run()).toMatchObject({
      dryRun: false,
      orchestrations: { imported: 30 },
      agentExecutions: { imported: 90 },
      monitoringResults: { imported: 12 },
    });
    expect([await count("orchestrations"), await count("agent_executions"), await count("monitoring_results")]).toEqual([30, 90, 12]);
    expect(await run()).toMatchObject({
      orchestrations: { imported: 0, existing: 30 },
      agentExecutions: { imported: 0, existing: 90 },
      monitoringResults: { imported: 0, existing: 12 },
    });
    expect([await count("orchestrations"), await count("agent_executions"), await count("monitoring_results")]).toEqual([30, 90, 12]);
    db.close();

    // Read back through Vigil's own queries, with the seed's times and links.
    const show = JSON.parse((await vigil(["show", "seed-5", "--db", target, "--json"])).stdout);
    expect(show).toMatchObject({
      run: { status: "failed", startedAt: "2025-12-01T10:00:00.000Z", durationMs: 1_200_000, failedTasks: 3 },
      executions: { total: 3, failed: 1 },
    });
    const perf = JSON.parse((await vigil(["performance", "--db", target, "--json"])).stdout) as { agentName: string; runs: number }[];
    expect(perf.find((a) => a.agentName === "agent-3")).toMatchObject({ runs: 30, completed: 24, failed: 6 });
    const failedVerdicts = JSON.parse((await vigil(["verdicts", "fail", "--db", target, "--json"])).stdout);
    expect(failedVerdicts).toHaveLength(3);
  }, 90_000);

  it("names what it cannot read", async () => {
    const r = await vigil(["import-seed", join(dir, "missing.db"), "--db", `file:${join(dir, "x.db")}`]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining("no such file")]);
  });
});
