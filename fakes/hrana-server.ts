import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "libsql";

/**
 * A remote libSQL server speaking Hrana over HTTP (JSON), backed by a local libSQL file, so the
 * real @libsql/client runs in remote mode against it exactly as against Turso.
 *
 * Contract, from tursodatabase/libsql:
 * - docs/HRANA_3_SPEC.md ("Hrana over HTTP", "Shared structures"): endpoints, batons, pipeline
 *   requests, batch conditions, value encoding (integers as strings, blobs base64, floats).
 * - libsql-server/src/hrana/http/mod.rs: protocol errors are 400 text/plain; stream errors are
 *   500 with a JSON `{ message, code }`; `GET /` answers a greeting.
 * - libsql-server/src/hrana/http/stream.rs: a stream is one connection; each response carries a
 *   fresh unforgeable baton (HMAC'd), a reused or unknown baton is a protocol error, an idle
 *   stream expires after 10 s (STREAM_EXPIRED), `close` ends it (baton null).
 * - libsql-server/src/hrana/http/request.rs: per-request errors go in `results` as
 *   `{ type: "error", error: { message, code } }`; `get_autocommit` needs version 3;
 *   at most 50 stored SQL texts per stream.
 * - libsql-server/src/hrana/stmt.rs: error codes are SQLite's primary codes
 *   ("SQLITE_CONSTRAINT", never the extended "_UNIQUE"), with messages "SQLite error: …";
 *   syntax errors are SQL_PARSE_ERROR, other prepare errors SQL_INPUT_ERROR.
 * The client installed here (node_modules/@libsql/hrana-client/lib-esm/http/client.js) probes
 * `GET v3-protobuf` and otherwise uses `v2/pipeline` with JSON; this fake answers v2 and v3 in
 * JSON only and 404s the Protobuf paths, as a v2 server would. Cursors (v3/cursor) are not
 * implemented: the client uses them only for interactive reads Vigil does not make.
 * Unlike sqld, SQL with several statements is not rejected (SQL_MANY_STATEMENTS): the libsql
 * package silently prepares the first one.
 * - libsql-server/src/query_analysis.rs (StmtKind) and connection/program.rs (check_program_auth):
 *   INSERT/UPDATE/DELETE/REPLACE and DDL need write permission, BEGIN/COMMIT/SELECT only read.
 *   A read-only token (a JWT with `a: "ro"`; here `readOnlyToken`) is checked against every
 *   statement of a request before any runs, and a write refuses the whole HTTP request with
 *   error.rs's NotAuthorized: 401 and a JSON `{ error }`.
 * Every statement needing write permission is recorded in `writes`, so a test can say that a
 * page view wrote nothing.
 */

type Json = Record<string, any>;
type Version = 2 | 3;

export interface HranaServer {
  url: string;
  /** Pipeline HTTP requests served: one per round trip the client made. */
  pipelines: number;
  /** The SQL of every statement run that needs write permission, in order. */
  writes: string[];
  /** Rows inserted, updated or deleted (SQLite's total_changes) over all streams. */
  rowsWritten: number;
  close(): Promise<void>;
}

interface Stream {
  conn: Database.Database;
  sqls: Map<number, string>;
  baton: string;
  expiry: NodeJS.Timeout;
}

const STREAM_EXPIRY_MS = 10_000;
const MAX_SQL_COUNT = 50;

class ProtocolError extends Error {}
class StreamError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}
/** A statement's error, reported inside `results` or `step_errors`. */
class StmtError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export async function startHranaServer(options: { path: string; authToken?: string; readOnlyToken?: string }): Promise<HranaServer> {
  const batonKey = randomBytes(32);
  const streams = new Map<string, Stream>();
  const expired = new Set<string>();
  const state = { pipelines: 0, writes: [] as string[], rowsWritten: 0 };
  let closing = false;

  // Each stream has a connection of its own, as in sqld; a closed stream's connection is kept for
  // the next one (outside any transaction), since opening a libSQL file costs milliseconds.
  const idle: Database.Database[] = [];
  const openConnection = () => {
    const reused = idle.pop();
    if (reused) return reused;
    // No busy wait: this process is single-threaded, a wait could never end.
    const conn = new Database(options.path, { timeout: 0 });
    conn.exec("PRAGMA journal_mode = WAL");
    return conn;
  };

  const closeStream = (id: string) => {
    const stream = streams.get(id);
    if (!stream) return;
    clearTimeout(stream.expiry);
    streams.delete(id);
    if (stream.conn.inTransaction) stream.conn.exec("ROLLBACK");
    if (closing || idle.length >= 8) stream.conn.close();
    else idle.push(stream.conn);
  };

  const issueBaton = (id: string) =>
    `${createHmac("sha256", batonKey)
      .update(`${id}.${randomBytes(8).toString("hex")}`)
      .digest("base64url")}.${id}`;

  const acquire = (baton: string | null | undefined): [string, Stream] => {
    if (baton === null || baton === undefined) {
      const id = randomBytes(12).toString("hex");
      const stream: Stream = { conn: openConnection(), sqls: new Map(), baton: "", expiry: setTimeout(() => {}, 0) };
      streams.set(id, stream);
      return [id, stream];
    }
    const id = baton.slice(baton.lastIndexOf(".") + 1);
    const stream = streams.get(id);
    if (!stream) {
      if (expired.has(id)) throw new StreamError("The stream has expired due to inactivity", "STREAM_EXPIRED");
      throw new ProtocolError("Received an invalid baton");
    }
    const expected = Buffer.from(stream.baton);
    const given = Buffer.from(baton);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new ProtocolError("Received a baton that has already been used");
    clearTimeout(stream.expiry);
    return [id, stream];
  };

  const release = (id: string, stream: Stream): string | null => {
    if (!streams.has(id)) return null;
    stream.baton = issueBaton(id);
    stream.expiry = setTimeout(() => {
      closeStream(id);
      expired.add(id);
    }, STREAM_EXPIRY_MS);
    stream.expiry.unref();
    return stream.baton;
  };

  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\/+$/, "");
      const permission = authorized(req, options);
      if (!permission) return text(res, 401, "Unauthorized");
      if (req.method === "GET" && path === "") return text(res, 200, "Hello, this is HTTP API v2 (Hrana over HTTP)");
      if (req.method === "GET" && (path === "/v2" || path === "/v3")) return text(res, 200, "");
      const pipeline = /^\/v([23])\/pipeline$/.exec(path);
      if (req.method !== "POST" || !pipeline) return text(res, 404, "Not found");
      const version = Number(pipeline[1]) as Version;
      const body = await readJson(req);
      state.pipelines++;
      const [id, stream] = acquire(body.baton);
      const writes = statementsOf(body.requests as Json[], stream.sqls).filter(needsWrite);
      if (permission === "read" && writes.length > 0) {
        // sqld checks the whole program before running it, and the stream is gone with the request.
        closeStream(id);
        return json(res, 401, { error: `Not authorized to execute query: ${writes[0]}` });
      }
      state.writes.push(...writes);
      // Counted before a `close` hands the connection back to the pool.
      let changes = totalChanges(stream.conn);
      const countChanges = () => {
        const total = totalChanges(stream.conn);
        state.rowsWritten += Number(total - changes);
        changes = total;
      };
      let results: Json[];
      try {
        results = (body.requests as Json[]).map((request) => {
          try {
            return {
              type: "ok",
              response: handleRequest(request, stream, version, () => {
                countChanges();
                closeStream(id);
              }),
            };
          } catch (error) {
            if (error instanceof StmtError) return { type: "error", error: { message: error.message, code: error.code } };
            throw error;
          }
        });
      } catch (error) {
        // As sqld drops a stream whose request failed outright (stream.rs, Guard without release).
        closeStream(id);
        throw error;
      }
      if (streams.has(id)) countChanges();
      json(res, 200, { baton: release(id, stream), base_url: null, results });
    } catch (error) {
      if (error instanceof StreamError) return json(res, 500, { message: error.message, code: error.code });
      if (error instanceof ProtocolError || error instanceof SyntaxError) return text(res, 400, error.message);
      return text(res, 500, error instanceof Error ? error.message : String(error));
    }
  });
  // Node closes an idle keep-alive connection after 5 s, far sooner than a hosted database's edge:
  // a pooled connection should not need a new handshake between one page view and the next.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const id of [...streams.keys()]) closeStream(id);
        for (const conn of idle.splice(0)) conn.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function handleRequest(request: Json, stream: Stream, version: Version, close: () => void): Json {
  const { conn, sqls } = stream;
  switch (request.type) {
    case "close":
      close();
      return { type: "close" };
    case "execute":
      return { type: "execute", result: executeStmt(conn, request.stmt, sqls) };
    case "batch":
      return { type: "batch", result: executeBatch(conn, request.batch, sqls, version) };
    case "sequence":
      try {
        conn.exec(sqlText(request, sqls));
      } catch (error) {
        throw stmtError(error);
      }
      return { type: "sequence" };
    case "describe":
      return { type: "describe", result: describe(conn, sqlText(request, sqls)) };
    case "store_sql":
      if (sqls.has(request.sql_id)) throw new ProtocolError(`SQL text ${request.sql_id} already exists`);
      if (sqls.size >= MAX_SQL_COUNT)
        throw new StmtError(`The server already stores ${sqls.size} SQL texts, it cannot store more`, "SQL_STORE_TOO_MANY");
      sqls.set(request.sql_id, request.sql);
      return { type: "store_sql" };
    case "close_sql":
      sqls.delete(request.sql_id);
      return { type: "close_sql" };
    case "get_autocommit":
      if (version < 3) throw new ProtocolError("The `get_autocommit` request is only supported in protocol version 3 and higher");
      return { type: "get_autocommit", is_autocommit: !conn.inTransaction };
    default:
      throw new ProtocolError(`Unknown stream request type ${JSON.stringify(request.type)}`);
  }
}

function sqlText(holder: Json, sqls: Map<number, string>): string {
  const hasSql = typeof holder.sql === "string";
  const hasId = typeof holder.sql_id === "number";
  if (hasSql && hasId) throw new ProtocolError("Both `sql` and `sql_id` were given");
  if (hasSql) return holder.sql;
  if (!hasId) throw new ProtocolError("Neither `sql` nor `sql_id` was given");
  const sql = sqls.get(holder.sql_id);
  if (sql === undefined) throw new ProtocolError(`SQL text ${holder.sql_id} was not found`);
  return sql;
}

function executeStmt(conn: Database.Database, stmt: Json, sqls: Map<number, string>): Json {
  const sql = sqlText(stmt, sqls);
  const args = stmt.args?.length ? (stmt.args as Json[]).map(valueFromProto) : undefined;
  const named = stmt.named_args?.length
    ? Object.fromEntries((stmt.named_args as Json[]).map((a) => [String(a.name).replace(/^[:@$]/, ""), valueFromProto(a.value)]))
    : undefined;
  if (args && named)
    throw new StmtError("Specifying both positional and named arguments is not supported", "ARGS_BOTH_POSITIONAL_AND_NAMED");
  let prepared: Database.Statement;
  try {
    prepared = conn.prepare(sql);
  } catch (error) {
    throw prepareError(error);
  }
  const params = named ?? args ?? [];
  const before = totalChanges(conn);
  try {
    prepared.safeIntegers(true);
    let cols: Json[] = [];
    let rows: unknown[][] = [];
    if (prepared.reader) {
      prepared.raw(true);
      cols = prepared.columns().map((c) => ({ name: c.name, decltype: c.type }));
      const all = prepared.all(params) as unknown[][];
      if (stmt.want_rows !== false) rows = all;
    } else {
      prepared.run(params);
    }
    // sqld reports sqlite3_changes() only for statements that wrote; a SELECT reports 0.
    const [changes, lastRowid] = conn.prepare("SELECT changes(), last_insert_rowid()").raw(true).safeIntegers(true).get() as [
      bigint,
      bigint,
    ];
    const wrote = totalChanges(conn) !== before;
    return {
      cols,
      rows: rows.map((row) => row.map(valueToProto)),
      affected_row_count: wrote ? Number(changes) : 0,
      last_insert_rowid: wrote ? String(lastRowid) : null,
    };
  } catch (error) {
    throw stmtError(error);
  }
}

function totalChanges(conn: Database.Database): bigint {
  return (conn.prepare("SELECT total_changes()").raw(true).safeIntegers(true).get() as [bigint])[0];
}

function executeBatch(conn: Database.Database, batch: Json, sqls: Map<number, string>, version: Version): Json {
  const steps = batch.steps as Json[];
  const results: (Json | null)[] = [];
  const errors: (Json | null)[] = [];
  const holds = (cond: Json, at: number): boolean => {
    switch (cond.type) {
      case "ok":
      case "error":
        if (!(cond.step < at)) throw new ProtocolError(`Batch condition refers to step ${cond.step}, which is not before step ${at}`);
        return cond.type === "ok" ? results[cond.step] !== null : errors[cond.step] !== null;
      case "not":
        return !holds(cond.cond, at);
      case "and":
        return (cond.conds as Json[]).every((c) => holds(c, at));
      case "or":
        return (cond.conds as Json[]).some((c) => holds(c, at));
      case "is_autocommit":
        if (version < 3) throw new ProtocolError("The `is_autocommit` condition is only supported in protocol version 3 and higher");
        return !conn.inTransaction;
      default:
        throw new ProtocolError(`Unknown batch condition ${JSON.stringify(cond.type)}`);
    }
  };
  steps.forEach((step, i) => {
    results.push(null);
    errors.push(null);
    if (step.condition && !holds(step.condition, i)) return;
    try {
      results[i] = executeStmt(conn, step.stmt, sqls);
    } catch (error) {
      if (!(error instanceof StmtError)) throw error;
      errors[i] = { message: error.message, code: error.code };
    }
  });
  return { step_results: results, step_errors: errors };
}

function describe(conn: Database.Database, sql: string): Json {
  let prepared: Database.Statement;
  try {
    prepared = conn.prepare(sql);
  } catch (error) {
    throw prepareError(error);
  }
  const reader = prepared.reader;
  return {
    // The libsql package exposes no parameter names; they are listed nameless, in order.
    params: [...sql.matchAll(/\?\d*|[:@$][A-Za-z_][A-Za-z0-9_]*/g)].map((m) => ({ name: m[0] === "?" ? null : m[0] })),
    cols: reader ? prepared.columns().map((c) => ({ name: c.name, decltype: c.type })) : [],
    is_explain: /^\s*EXPLAIN\b/i.test(sql),
    is_readonly: reader && !/^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(sql),
  };
}

function valueFromProto(value: Json): unknown {
  switch (value.type) {
    case "null":
      return null;
    case "integer":
      return BigInt(value.value);
    case "float":
      return Number(value.value);
    case "text":
      return String(value.value);
    case "blob":
      return Buffer.from(value.base64, "base64");
    default:
      throw new ProtocolError(`Unknown value type ${JSON.stringify(value.type)}`);
  }
}

function valueToProto(value: unknown): Json {
  if (value === null || value === undefined) return { type: "null" };
  if (typeof value === "bigint") return { type: "integer", value: value.toString() };
  if (typeof value === "number") return { type: "float", value };
  if (typeof value === "string") return { type: "text", value };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { type: "blob", base64: Buffer.from(value).toString("base64") };
  throw new Error(`Cannot encode a ${typeof value}`);
}

/** sqld names only the primary SQLite code: SQLITE_CONSTRAINT_UNIQUE (2067) is SQLITE_CONSTRAINT. */
function stmtError(error: unknown): StmtError {
  if (error instanceof StmtError) return error;
  if (!(error instanceof Database.SqliteError)) throw error;
  const primary = PRIMARY_CODES[(error as { rawCode?: number }).rawCode! & 0xff] ?? "SQLITE_UNKNOWN";
  return new StmtError(`SQLite error: ${error.message}`, primary);
}

function prepareError(error: unknown): StmtError {
  if (!(error instanceof Database.SqliteError)) throw error;
  if (/syntax error|incomplete input|unrecognized token/.test(error.message))
    return new StmtError(`SQL string could not be parsed: ${error.message}`, "SQL_PARSE_ERROR");
  if (error.code === "SQLITE_ERROR") return new StmtError(`SQL input error: ${error.message}`, "SQL_INPUT_ERROR");
  return stmtError(error);
}

const PRIMARY_CODES: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS",
  23: "SQLITE_AUTH",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
};

/** The SQL of every statement a pipeline's requests would run, SQL texts stored by earlier requests of the stream included. */
function statementsOf(requests: Json[], stored: Map<number, string>): string[] {
  const sqls = new Map(stored);
  const text = (holder: Json) => (typeof holder.sql === "string" ? holder.sql : (sqls.get(holder.sql_id) ?? ""));
  return requests.flatMap((r) => {
    if (r.type === "store_sql") sqls.set(r.sql_id, r.sql);
    if (r.type === "execute") return [text(r.stmt)];
    if (r.type === "batch") return (r.batch.steps as Json[]).map((step) => text(step.stmt));
    if (r.type === "sequence") return [text(r)];
    return [];
  });
}

/** sqld's StmtKind::Write and StmtKind::DDL, by the statement's verb (a CTE's too). */
const needsWrite = (sql: string): boolean =>
  /^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|VACUUM|REINDEX)\b/i.test(sql) ||
  (/^\s*WITH\b/i.test(sql) && /\)\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(sql));

function authorized(req: IncomingMessage, options: { authToken?: string; readOnlyToken?: string }): "write" | "read" | undefined {
  if (options.authToken === undefined && options.readOnlyToken === undefined) return "write";
  const given = Buffer.from(req.headers.authorization ?? "");
  const is = (token: string | undefined) => {
    if (token === undefined) return false;
    const expected = Buffer.from(`Bearer ${token}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  return is(options.authToken) ? "write" : is(options.readOnlyToken) ? "read" : undefined;
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString()) as Json;
  if (!Array.isArray(body.requests)) throw new ProtocolError("Pipeline body has no `requests` array");
  return body;
}

// With a Content-Length, as sqld (hyper) sends a whole body.
function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) }).end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) }).end(data);
}
