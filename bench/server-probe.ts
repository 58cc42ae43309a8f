import { createClient, type InStatement, type ResultSet } from "@libsql/client";

/**
 * Preloaded (`--import`) into a benchmarked server: on SIGUSR2 it prints
 * `probe {"cpuMicros":…, "rowsWritten":…}` — the process's own CPU time (process.cpuUsage())
 * and the rows its libSQL clients have inserted, updated or deleted so far (what Turso bills as
 * rows written). Counted by wrapping the client class's execute and batch, which is where every
 * Vigil write goes; a statement with RETURNING reports rowsAffected 0 in file mode, so its
 * returned rows are counted instead.
 */
let rowsWritten = 0;
const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE|WITH)\b/i;
const countRows = (stmt: InStatement, rs: ResultSet) => {
  const sql = typeof stmt === "string" ? stmt : stmt.sql;
  if (!WRITE.test(sql)) return;
  rowsWritten += rs.rowsAffected > 0 ? rs.rowsAffected : /\bRETURNING\b/i.test(sql) ? rs.rows.length : 0;
};

const sample = createClient({ url: ":memory:" });
const proto = Object.getPrototypeOf(sample) as {
  execute: (...a: unknown[]) => Promise<ResultSet>;
  batch: (...a: unknown[]) => Promise<ResultSet[]>;
};
sample.close();
const { execute, batch } = proto;
proto.execute = async function (this: unknown, ...args: unknown[]) {
  const rs = await execute.apply(this, args);
  countRows(args[0] as InStatement, rs);
  return rs;
};
proto.batch = async function (this: unknown, ...args: unknown[]) {
  const results = await batch.apply(this, args);
  (args[0] as InStatement[]).forEach((stmt, i) => countRows(stmt, results[i]!));
  return results;
};

process.on("SIGUSR2", () => {
  const cpu = process.cpuUsage();
  process.stdout.write(`probe ${JSON.stringify({ cpuMicros: cpu.user + cpu.system, rowsWritten })}\n`);
});
