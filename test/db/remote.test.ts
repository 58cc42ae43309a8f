import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, LibsqlError, type Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHranaServer, type HranaServer } from "../../fakes/hrana-server.js";

// Runs in every mode: the Hrana fake itself, driven by the real @libsql/client over http:.
let dir: string;
let server: HranaServer;
let client: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vigil-hrana-"));
  server = await startHranaServer({ path: join(dir, "remote.db"), authToken: "tok-remote" });
  client = createClient({ url: server.url, authToken: "tok-remote" });
  await client.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, big INTEGER, data BLOB)");
});

afterAll(async () => {
  client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Hrana over HTTP fake with the real @libsql/client", () => {
  it("round-trips integers, floats, text, blobs and nulls, with rowsAffected and lastInsertRowid", async () => {
    const insert = await client.execute({
      sql: "INSERT INTO t (name, score, big, data) VALUES (?, ?, ?, ?)",
      args: ["a", 1.5, 9007199254740991n, new Uint8Array([0, 255, 7])],
    });
    expect(insert.rowsAffected).toBe(1);
    expect(insert.lastInsertRowid).toBe(1n);
    const rs = await client.execute({
      sql: "SELECT id, name, score, big, data, NULL AS empty FROM t WHERE name = :name",
      args: { name: "a" },
    });
    expect(rs.columns).toEqual(["id", "name", "score", "big", "data", "empty"]);
    expect(rs.columnTypes.slice(0, 2)).toEqual(["INTEGER", "TEXT"]);
    const row = rs.rows[0]!;
    expect(row.id).toBe(1);
    expect(row.name).toBe("a");
    expect(row.score).toBe(1.5);
    expect(row.big).toBe(9007199254740991);
    expect([...new Uint8Array(row.data as ArrayBuffer)]).toEqual([0, 255, 7]);
    expect(row.empty).toBeNull();
    const bigints = createClient({ url: server.url, authToken: "tok-remote", intMode: "bigint" });
    expect((await bigints.execute("SELECT big FROM t")).rows[0]!.big).toBe(9007199254740991n);
    bigints.close();
  });

  it("reports a constraint violation as a LibsqlError with sqld's primary code", async () => {
    const error = await client.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["a"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibsqlError);
    expect((error as LibsqlError).code).toBe("SQLITE_CONSTRAINT");
    expect((error as LibsqlError).message).toMatch(/UNIQUE constraint failed: t\.name/);
    const parse = await client.execute("SELEC 1").catch((e: unknown) => e);
    expect((parse as LibsqlError).code).toBe("SQL_PARSE_ERROR");
    const missing = await client.execute("SELECT * FROM nowhere").catch((e: unknown) => e);
    expect((missing as LibsqlError).code).toBe("SQL_INPUT_ERROR");
    expect((missing as LibsqlError).message).toMatch(/no such table: nowhere/);
  });

  it("rolls back a write batch whose step fails, in one round trip", async () => {
    const before = server.pipelines;
    const error = await client
      .batch(
        [
          { sql: "INSERT INTO t (name) VALUES (?)", args: ["b"] },
          { sql: "INSERT INTO t (name) VALUES (?)", args: ["a"] },
        ],
        "write",
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibsqlError);
    expect((error as LibsqlError).code).toBe("SQLITE_CONSTRAINT");
    expect(server.pipelines - before).toBe(1);
    const rs = await client.execute({ sql: "SELECT count(*) AS n FROM t WHERE name = ?", args: ["b"] });
    expect(rs.rows[0]!.n).toBe(0);
    const ok = await client.batch([{ sql: "INSERT INTO t (name) VALUES (?)", args: ["c"] }, "SELECT count(*) AS n FROM t"], "write");
    expect(ok[0]!.rowsAffected).toBe(1);
    expect(ok[1]!.rows[0]!.n).toBe(2);
  });

  it("keeps an interactive transaction on one stream with batons, invisible to others until commit", async () => {
    const tx = await client.transaction("write");
    await tx.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["tx"] });
    expect((await tx.execute("SELECT count(*) AS n FROM t WHERE name = 'tx'")).rows[0]!.n).toBe(1);
    expect((await client.execute("SELECT count(*) AS n FROM t WHERE name = 'tx'")).rows[0]!.n).toBe(0);
    await tx.rollback();
    expect((await client.execute("SELECT count(*) AS n FROM t WHERE name = 'tx'")).rows[0]!.n).toBe(0);
    const tx2 = await client.transaction("write");
    await tx2.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["tx2"] });
    await tx2.commit();
    expect((await client.execute("SELECT count(*) AS n FROM t WHERE name = 'tx2'")).rows[0]!.n).toBe(1);
  });

  it("runs a sequence (executeMultiple) and rejects a wrong token", async () => {
    await client.executeMultiple("CREATE TABLE s (x); INSERT INTO s VALUES (1); INSERT INTO s VALUES (2);");
    expect((await client.execute("SELECT sum(x) AS total FROM s")).rows[0]!.total).toBe(3);
    const intruder = createClient({ url: server.url, authToken: "wrong" });
    const error = await intruder.execute("SELECT 1").catch((e: unknown) => e);
    intruder.close();
    expect(error).toBeInstanceOf(LibsqlError);
    expect((error as LibsqlError).code).toBe("SERVER_ERROR");
  });

  it("speaks v3 batch conditions, get_autocommit and baton reuse rejection on the wire", async () => {
    const post = (body: unknown) =>
      fetch(`${server.url}/v3/pipeline`, { method: "POST", headers: { authorization: "Bearer tok-remote" }, body: JSON.stringify(body) });
    const stmt = (sql: string) => ({ sql, want_rows: true });
    const first = await post({
      baton: null,
      requests: [
        { type: "store_sql", sql_id: 1, sql: "SELECT 40 + 2" },
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: stmt("BEGIN") },
              { stmt: stmt("SELECT nope FROM nowhere"), condition: { type: "ok", step: 0 } },
              {
                stmt: { sql_id: 1 },
                condition: {
                  type: "and",
                  conds: [
                    { type: "not", cond: { type: "ok", step: 1 } },
                    { type: "not", cond: { type: "is_autocommit" } },
                  ],
                },
              },
              { stmt: stmt("SELECT 'skipped'"), condition: { type: "or", conds: [{ type: "ok", step: 1 }, { type: "is_autocommit" }] } },
            ],
          },
        },
        { type: "get_autocommit" },
        { type: "describe", sql: "SELECT name FROM t WHERE id = :id" },
      ],
    });
    const body = (await first.json()) as any;
    const batch = body.results[1].response.result;
    expect(batch.step_errors[1].code).toBe("SQL_INPUT_ERROR");
    expect(batch.step_results[2].rows).toEqual([[{ type: "integer", value: "42" }]]);
    expect(batch.step_results[3]).toBeNull();
    expect(batch.step_errors[3]).toBeNull();
    expect(body.results[2].response.is_autocommit).toBe(false);
    expect(body.results[3].response.result).toMatchObject({
      params: [{ name: ":id" }],
      cols: [{ name: "name", decltype: "TEXT" }],
      is_readonly: true,
    });
    expect(typeof body.baton).toBe("string");
    const second = await post({ baton: body.baton, requests: [{ type: "execute", stmt: stmt("ROLLBACK") }, { type: "close" }] });
    expect(((await second.json()) as any).baton).toBeNull();
    const reused = await post({ baton: body.baton, requests: [{ type: "close" }] });
    expect(reused.status).toBe(400);
    const v2 = await fetch(`${server.url}/v2/pipeline`, {
      method: "POST",
      headers: { authorization: "Bearer tok-remote" },
      body: JSON.stringify({ baton: null, requests: [{ type: "get_autocommit" }] }),
    });
    expect(v2.status).toBe(400);
  });
});
