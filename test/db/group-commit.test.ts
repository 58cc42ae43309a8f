import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatchWriter } from "../../src/db/batch-writer.js";
import { createDb } from "../../src/db/client.js";
import { createGroupCommit } from "../../src/db/group-commit.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

// Guarantees of group commit: each caller resolves only after its own item is committed,
// concurrent items share transactions, one bad item fails alone, and an unavailable
// database fails the whole batch (so every caller can answer 503).

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await t.db.execute("CREATE TABLE gc (n INTEGER NOT NULL CHECK (n >= 0))");
});
afterAll(() => t.cleanup());

const count = async () => Number((await t.db.execute("SELECT COUNT(*) AS c FROM gc")).rows[0]!.c);

describe("group commit", () => {
  it("commits 200 concurrent items in a few transactions, each caller after its own commit", async () => {
    const batches: number[] = [];
    const write = createGroupCommit<number, number>({
      maxWeight: 64,
      async commit(items) {
        batches.push(items.length);
        await t.db.batch(
          items.map((n) => ({ sql: "INSERT INTO gc (n) VALUES (?)", args: [n] })),
          "write",
        );
        return items;
      },
    });
    const before = await count();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => write(i).then(async (n) => ({ n, visible: await count() }))));
    expect(answers.map((a) => a.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // Each caller saw its own row already in the table.
    expect(answers.every((a) => a.visible > before)).toBe(true);
    expect(await count()).toBe(before + 200);
    expect(batches.length).toBeLessThanOrEqual(5);
    expect(Math.max(...batches)).toBeLessThanOrEqual(64);
  });

  it("fails only the bad write of a batch; its neighbours are committed", async () => {
    const writer = createBatchWriter(t.db);
    const before = await count();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => writer.write([{ sql: "INSERT INTO gc (n) VALUES (?)", args: [i === 7 ? -1 : i] }])),
    );
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(1);
    expect(outcomes[7]!.status).toBe("rejected");
    expect(await count()).toBe(before + 19);
  });

  it("rejects every caller of a batch when the database is unavailable", async () => {
    const down = createDb({ url: "http://127.0.0.1:9" });
    const writer = createBatchWriter(down);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => writer.write([{ sql: "INSERT INTO gc (n) VALUES (1)", args: [] }])),
    );
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    down.close();
  });
});
