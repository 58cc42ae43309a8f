import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coalesceReads } from "../../src/db/read-batch.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { startDistantDb, type DistantDb } from "../helpers/distant-db.js";

let t: TestDb;
let distant: DistantDb;

beforeAll(async () => {
  t = await createTestDb();
  await t.db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)");
  await t.db.execute("INSERT INTO things (id, name) VALUES (1, 'one'), (2, 'two'), (3, 'three')");
  distant = await startDistantDb(join(t.dir, "vigil.db"), 20);
});
afterAll(async () => {
  await distant.close();
  t.cleanup();
});

const byId = (id: number) => ({ sql: "SELECT name FROM things WHERE id = ?", args: [id] });

describe("read batches started together", () => {
  it("go to the server as one HTTP request, each caller getting its own results", async () => {
    const db = coalesceReads(distant.db);
    await db.batch([byId(1)], "read"); // warms the connection
    distant.reset();
    const [a, b, c] = await Promise.all([db.batch([byId(1)], "read"), db.batch([byId(2), byId(3)], "read"), db.batch([byId(3)], "read")]);
    expect(distant.proxy.requests).toBe(1);
    expect([a, b, c].map((rs) => rs.map((r) => r.rows[0]?.name))).toEqual([["one"], ["two", "three"], ["three"]]);
  });

  it("a failing read fails its own caller with its own error, and its neighbours still get their rows", async () => {
    const db = coalesceReads(distant.db);
    const [good, bad, other] = await Promise.allSettled([
      db.batch([byId(1)], "read"),
      db.batch(["SELECT nope FROM things"], "read"),
      db.batch([byId(2)], "read"),
    ]);
    expect(good.status === "fulfilled" && good.value[0]!.rows[0]!.name).toBe("one");
    expect(other.status === "fulfilled" && other.value[0]!.rows[0]!.name).toBe("two");
    expect(bad.status).toBe("rejected");
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/no such column: nope/);
  });

  it("writes are not held back or merged: a write batch goes out on its own, at once", async () => {
    const db = coalesceReads(distant.db);
    distant.reset();
    await Promise.all([db.batch(["UPDATE things SET name = 'uno' WHERE id = 1"], "write"), db.batch([byId(2)], "read")]);
    expect(distant.proxy.requests).toBe(2);
    expect(distant.hrana.writes).toEqual(["UPDATE things SET name = 'uno' WHERE id = 1"]);
  });
});
