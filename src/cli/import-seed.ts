import { existsSync } from "node:fs";
import { createClient, type Row } from "@libsql/client";
import { createDb, type Db, prepareLocalDb } from "../db/client.js";
import { migrate, schemaStatus, schemaVersion } from "../db/migrate.js";
import type { Env } from "../env.js";
import { importSeedVerdicts } from "../monitoring/seed-import.js";
import type { SeedVerdict } from "../monitoring/verdict-row.js";
import { importSeedRuns } from "../runs/seed-import.js";
import type { SeedExecution, SeedRun } from "../runs/types.js";
import { type CliIo, UsageError } from "./invocation.js";
import { table } from "./table.js";

/** The database import-seed writes to: --db, else the configured one; a local file is migrated as the dev server would. */
export async function importTarget(url: string, env: Env): Promise<Db> {
  const db = createDb({ url, authToken: env.TURSO_AUTH_TOKEN, busyTimeoutMs: env.DB_BUSY_TIMEOUT_MS });
  if (url.startsWith("file:")) {
    await prepareLocalDb(db, url);
    await migrate(db);
  } else {
    const status = schemaStatus(await schemaVersion(db));
    if (status.behind) throw new Error(status.message);
  }
  return db;
}

/** A seed time: SQLite's `datetime('now')` text (UTC), ISO 8601, or epoch seconds or milliseconds. */
function seedTime(v: unknown, what: string): number {
  const s = String(v ?? "").trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.round(n < 1e11 ? n * 1000 : n);
  }
  const t = Date.parse(/[zZ]$|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(" ", "T")}Z`);
  if (!Number.isFinite(t)) throw new UsageError(`${what}: "${s}" is not a time`);
  return t;
}
const maybeTime = (v: unknown, what: string) => (v === null || v === undefined || v === "" ? null : seedTime(v, what));
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
const int = (v: unknown) => (v === null || v === undefined ? null : Number(v));
function oneOf<T extends string>(v: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(v as T)) throw new UsageError(`${what}: status "${String(v)}" is none of ${allowed.join(", ")}`);
  return v as T;
}

const toRun = (r: Row): SeedRun => {
  const at = `orchestrations ${String(r.session_id)}`;
  return {
    id: Number(r.id),
    sessionId: String(r.session_id),
    taskDescription: String(r.task_description ?? "") || "(imported)",
    status: oneOf(r.status, ["running", "completed", "failed", "partial"], at),
    startedAt: seedTime(r.started_at, `${at} started_at`),
    completedAt: maybeTime(r.completed_at, `${at} completed_at`),
    durationMs: int(r.duration_ms),
    totalTasks: Number(r.total_tasks ?? 0),
    completedTasks: Number(r.completed_tasks ?? 0),
    failedTasks: Number(r.failed_tasks ?? 0),
    gitCommitHash: text(r.git_commit_hash),
    planFilePath: text(r.plan_file_path),
    progressFilePath: text(r.progress_file_path),
  };
};

const toExecution = (r: Row): SeedExecution => {
  const at = `agent_executions ${String(r.agent_session_id)}`;
  return {
    seedRunId: int(r.orchestration_id),
    agentSessionId: String(r.agent_session_id),
    agentName: String(r.agent_name),
    taskId: text(r.task_id),
    taskNumber: int(r.task_number),
    status: oneOf(r.status, ["in_progress", "completed", "failed"], at),
    startedAt: seedTime(r.started_at, `${at} started_at`),
    completedAt: maybeTime(r.completed_at, `${at} completed_at`),
    durationMs: int(r.duration_ms),
    retryCount: Number(r.retry_count ?? 0),
    selfHealed: Number(r.self_healed ?? 0) === 1,
    filesCreated: Number(r.files_created ?? 0),
    filesModified: Number(r.files_modified ?? 0),
    errorMessage: text(r.error_message),
    summaryReportPath: text(r.summary_report_path),
    sessionLogPath: text(r.session_log_path),
  };
};

const toVerdict = (r: Row): SeedVerdict => {
  const at = `monitoring_results ${String(r.session_id)}`;
  return {
    sessionId: String(r.session_id),
    intentType: text(r.intent_type),
    intentConfidence: r.intent_confidence === null ? null : Number(r.intent_confidence),
    status: oneOf(r.verification_status, ["pass", "fail", "partial", "error", "skipped"], at),
    summary: text(r.verdict_summary),
    diagnosticStatus:
      r.diagnostic_status === null || r.diagnostic_status === undefined
        ? null
        : oneOf(r.diagnostic_status, ["pending", "complete", "error"] as const, at),
    diagnosticReportJson: text(r.diagnostic_report_json),
    analyzedAt: seedTime(r.analyzed_at, `${at} analyzed_at`),
    diagnosedAt: maybeTime(r.diagnosed_at, `${at} diagnosed_at`),
  };
};

/** Reads the seed's file (never writes it) and imports into `target`; prints what was read, added and already here. */
export async function runImportSeed(target: Db, path: string | undefined, dryRun: boolean, json: boolean, io: CliIo): Promise<void> {
  if (!path) throw new UsageError("missing <monitoring.db>");
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);
  const seed = createClient({ url: `file:${path}` });
  try {
    const tables = new Set((await seed.execute("SELECT name FROM sqlite_master WHERE type = 'table'")).rows.map((r) => String(r.name)));
    if (!tables.has("orchestrations") && !tables.has("monitoring_results"))
      throw new UsageError(`${path} has neither orchestrations nor monitoring_results: not a seed monitoring.db`);
    const read = async (name: string) => (tables.has(name) ? (await seed.execute(`SELECT * FROM ${name} ORDER BY rowid`)).rows : []);
    const runs = (await read("orchestrations")).map(toRun);
    const executions = (await read("agent_executions")).map(toExecution);
    const verdicts = (await read("monitoring_results")).map(toVerdict);
    const result = {
      dryRun,
      ...(await importSeedRuns(target, runs, executions, dryRun)),
      monitoringResults: await importSeedVerdicts(target, verdicts, dryRun),
    };
    if (json) return io.out(JSON.stringify(result, null, 2));
    io.out(
      [
        dryRun ? `Dry run: nothing written. ${path} would add:` : `Imported from ${path}:`,
        table(
          ["TABLE", "READ", dryRun ? "WOULD ADD" : "ADDED", "ALREADY HERE"],
          (["orchestrations", "agentExecutions", "monitoringResults"] as const).map((k) => [
            k,
            result[k].read,
            result[k].imported,
            result[k].existing,
          ]),
        ),
      ].join("\n"),
    );
  } finally {
    seed.close();
  }
}
