import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InStatement } from "@libsql/client";
import { guarded, unconditional, whenChanged, type Conditional } from "../../src/db/guarded-batch.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

// A guarded group: a primary, then dependents written only if the primary changed a row, in
// one batch or one transaction, whatever the dependents themselves change.

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await t.db.batch(
    [
      "CREATE TABLE items (id TEXT PRIMARY KEY, state TEXT NOT NULL)",
      "CREATE TABLE log (id INTEGER PRIMARY KEY, tag TEXT NOT NULL UNIQUE)",
      "CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    ],
    "write",
  );
});
afterAll(() => t.cleanup());
beforeEach(async () => {
  await t.db.batch(["DELETE FROM items", "DELETE FROM log", "DELETE FROM counters"], "write");
});

const open = (...ids: string[]) =>
  t.db.batch(
    ids.map((id) => ({ sql: "INSERT INTO items (id, state) VALUES (?, 'open')", args: [id] })),
    "write",
  );

/** Changes a row only while the item is open: the second close of the same item changes nothing. */
const close = (id: string): InStatement => ({ sql: "UPDATE items SET state = 'closed' WHERE id = ? AND state = 'open'", args: [id] });
const closeAgain =
  (id: string): Conditional =>
  (when) => ({
    sql: `UPDATE items SET state = 'archived' WHERE id = ? AND state = 'closed' AND ${when}`,
    args: [id],
  });
/** Inserts one row; changes nothing when the tag is already there. */
const note =
  (tag: string): Conditional =>
  (when) => ({
    sql: `INSERT INTO log (tag) SELECT ? WHERE ${when} ON CONFLICT (tag) DO NOTHING`,
    args: [tag],
  });
/** Changes a row only if the counter exists: a dependent that may run and change nothing. */
const bump =
  (name: string): Conditional =>
  (when) => ({ sql: `UPDATE counters SET n = n + 1 WHERE name = ? AND ${when}`, args: [name] });
/** Changes several rows when it runs. */
const fanOut =
  (...tags: string[]): Conditional =>
  (when) => ({
    sql: `INSERT INTO log (tag) SELECT value FROM json_each(?) WHERE ${when}`,
    args: [JSON.stringify(tags)],
  });

const tags = async () => (await t.db.execute("SELECT tag FROM log ORDER BY tag")).rows.map((r) => String(r.tag));
const counter = async (name: string) =>
  Number((await t.db.execute({ sql: "SELECT n FROM counters WHERE name = ?", args: [name] })).rows[0]?.n);
const state = async (id: string) =>
  String((await t.db.execute({ sql: "SELECT state FROM items WHERE id = ?", args: [id] })).rows[0]?.state);

describe("a guarded group", () => {
  it("writes its one dependent when the primary changes a row, and answers the primary's result first", async () => {
    await open("a");
    const results = await t.db.batch(guarded(close("a"), note("a closed")), "write");
    expect(results[0]!.rowsAffected).toBe(1);
    expect(await tags()).toEqual(["a closed"]);
  });

  it("skips its one dependent when the primary changes nothing", async () => {
    await open("a");
    await t.db.batch([close("a")], "write");
    const results = await t.db.batch(guarded(close("a"), note("a closed twice")), "write");
    expect(results[0]!.rowsAffected).toBe(0);
    expect(await tags()).toEqual([]);
  });

  it("writes every dependent when the primary changes a row, even after a dependent that changed nothing or several rows", async () => {
    await open("a");
    await t.db.execute("INSERT INTO log (tag) VALUES ('already there')");
    // bump finds no counter row and note's tag exists: both change nothing, yet the primary did.
    await t.db.batch(guarded(close("a"), bump("missing"), note("already there"), fanOut("x", "y"), note("after")), "write");
    expect(await tags()).toEqual(["after", "already there", "x", "y"]);
  });

  it("skips every dependent when the primary changes nothing, even after a dependent that would change a row", async () => {
    await open("a");
    await t.db.execute("INSERT INTO counters (name, n) VALUES ('c', 0)");
    await t.db.batch([close("a")], "write");
    // Run unguarded, this counter update would change a row and open the way for the notes after it.
    await t.db.batch(guarded(close("a"), bump("c"), note("one"), note("two")), "write");
    expect(await counter("c")).toBe(0);
    expect(await tags()).toEqual([]);
  });

  it("keeps several groups in one batch independent, whichever changes a row", async () => {
    await open("a", "c");
    await t.db.execute("INSERT INTO counters (name, n) VALUES ('b', 0)");
    await t.db.batch(
      [
        ...guarded(close("a"), note("a1"), note("a2")),
        ...guarded(close("b"), bump("b"), note("b1")),
        ...guarded(close("c"), note("c1")),
        ...guarded(close("d"), note("d1")),
        ...guarded(close("c"), note("c again"), note("c again 2")),
      ],
      "write",
    );
    expect(await tags()).toEqual(["a1", "a2", "c1"]);
    expect(await counter("b")).toBe(0);
  });

  it("guards a nested group's dependents by its own primary, and leaves the outer group's guard alone", async () => {
    await open("a", "b");
    await t.db.execute("INSERT INTO counters (name, n) VALUES ('a', 0)");
    await t.db.batch(
      [
        // a closes; archiving it (the nested primary) changes a row, so its own notes follow.
        ...guarded(close("a"), whenChanged(closeAgain("a"), note("a archived"), bump("a")), note("a closed")),
        // b closes, but archiving "zzz" changes nothing: its notes are skipped, b's own are not.
        ...guarded(close("b"), whenChanged(closeAgain("zzz"), note("zzz archived"), note("zzz 2")), note("b closed"), note("b 2")),
      ],
      "write",
    );
    expect(await state("a")).toBe("archived");
    expect(await counter("a")).toBe(1);
    expect(await tags()).toEqual(["a archived", "a closed", "b 2", "b closed"]);
  });

  it("skips a nested group whole when the outer primary changes nothing", async () => {
    await open("a");
    await t.db.batch([close("a")], "write");
    await t.db.batch(guarded(close("a"), whenChanged(closeAgain("a"), note("archived"))), "write");
    expect(await state("a")).toBe("closed");
    expect(await tags()).toEqual([]);
  });

  it("holds in a transaction, statement by statement or as a batch", async () => {
    await open("a", "b");
    const tx = await t.db.transaction("write");
    try {
      for (const s of guarded(close("a"), bump("none"), note("a closed"))) await tx.execute(s);
      for (const s of guarded(close("a"), note("a closed twice"), note("a twice 2"))) await tx.execute(s);
      await tx.batch([...guarded(close("b"), note("b closed"), note("b 2")), ...guarded(close("b"), note("b twice"))]);
      await tx.commit();
    } finally {
      tx.close();
    }
    expect(await tags()).toEqual(["a closed", "b 2", "b closed"]);
  });

  it("leaves last_insert_rowid() to the primary for dependents that find its row by it", async () => {
    await t.db.execute("INSERT INTO log (tag) VALUES ('before')");
    // The first flag ever set is an insert into batch_guards: the case that could move last_insert_rowid().
    await t.db.execute("DELETE FROM batch_guards");
    const insert: InStatement = "INSERT INTO log (tag) VALUES ('primary')";
    const rowidNote: Conditional = (when) => ({
      sql: `INSERT INTO counters (name, n) SELECT 'rowid', last_insert_rowid() WHERE ${when}`,
      args: [],
    });
    await t.db.batch(guarded(insert, bump("none"), rowidNote), "write");
    const primaryId = Number((await t.db.execute("SELECT id FROM log WHERE tag = 'primary'")).rows[0]!.id);
    expect(await counter("rowid")).toBe(primaryId);
  });

  it("writes an unconditional statement on its own", async () => {
    await t.db.execute(unconditional(note("alone")));
    expect(await tags()).toEqual(["alone"]);
  });
});
