import type { InStatement, ResultSet } from "@libsql/client";
import type { Db } from "./client.js";

/**
 * A read as a value: its statement and how its rows become data. A caller gathers the reads it
 * needs from several domains into one batch (one round trip to Turso) while each domain keeps
 * its own SQL and row mapping.
 */
export interface Query<T> {
  statement: InStatement;
  map: (rs: ResultSet) => T;
}

export type Results<Q extends readonly Query<unknown>[]> = { -readonly [K in keyof Q]: Q[K] extends Query<infer T> ? T : never };

const mapResults = <Q extends readonly Query<unknown>[]>(queries: Q, results: ResultSet[]): Results<Q> =>
  queries.map((q, i) => q.map(results[i]!)) as Results<Q>;

/** Runs the queries in one read batch. */
export async function readAll<const Q extends readonly Query<unknown>[]>(db: Db, queries: Q): Promise<Results<Q>> {
  return mapResults(
    queries,
    await db.batch(
      queries.map((q) => q.statement),
      "read",
    ),
  );
}

/** Runs one query, as a read batch: reads started together go out together (read-batch.ts). */
export const readOne = async <T>(db: Db, query: Query<T>): Promise<T> => query.map((await db.batch([query.statement], "read"))[0]!);

export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The newest rows having one of several statuses: one indexed search per status, merged, so no
 * query walks the whole table's time index filtering out the other statuses.
 */
export function latestWithStatus(table: string, column: string, statuses: string[], order: string): string {
  const parts = statuses.map((s) => `SELECT * FROM (SELECT * FROM ${table} WHERE ${column} = '${s}' ORDER BY ${order} LIMIT ?)`);
  return `SELECT * FROM (${parts.join(" UNION ALL ")}) ORDER BY ${order} LIMIT ?`;
}

/** The oldest rows of `table` before a cutoff, `limit` at a time: their rowids, and their delete. */
export interface OldRows {
  selected: string;
  args: (string | number)[];
  remove: InStatement;
}

/** Batched deletes by age for the table its owner names (retention runs them owner by owner). */
export const olderThan =
  (table: string, column: string) =>
  (cutoff: number, limit: number): OldRows => {
    const selected = `SELECT rowid FROM ${table} WHERE ${column} < ? ORDER BY ${column} LIMIT ?`;
    return { selected, args: [cutoff, limit], remove: { sql: `DELETE FROM ${table} WHERE rowid IN (${selected})`, args: [cutoff, limit] } };
  };
