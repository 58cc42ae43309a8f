import type { ResultSet } from "@libsql/client";
import type { Db } from "./client.js";
import { isDatabaseUnavailable } from "./errors.js";

type Statements = Parameters<Db["batch"]>[0];

interface Pending {
  statements: Statements;
  resolve(results: ResultSet[]): void;
  reject(error: unknown): void;
}

/**
 * Read batches started in the same turn of the event loop go out as one read batch: one HTTP
 * request to Turso instead of one each. @libsql/client's remote mode sends every call as a
 * request of its own (in parallel they still open a connection each, a TCP and TLS handshake on
 * a cold function), so a page that reads from several domains at once — the status page, the
 * stability report — waits for one round trip, as if its reads had been gathered by hand
 * (`Query`, query.ts). Only `batch(…, "read")` is gathered: a read batch is one transaction, so
 * the reads merged into it see one snapshot; writes, `execute` and transactions pass straight
 * through.
 */
export function coalesceReads(db: Db): Db {
  let queue: Pending[] = [];

  const run = async (group: Pending[]) => {
    try {
      const results = await db.batch(
        group.flatMap((p) => p.statements),
        "read",
      );
      let at = 0;
      for (const p of group) {
        p.resolve(results.slice(at, at + p.statements.length));
        at += p.statements.length;
      }
    } catch (error) {
      if (group.length === 1 || isDatabaseUnavailable(error)) {
        for (const p of group) p.reject(error);
        return;
      }
      // One failing read must fail neither its neighbours nor with their error: each on its own.
      for (const p of group) db.batch(p.statements, "read").then(p.resolve, p.reject);
    }
  };

  const read = (statements: Statements) =>
    new Promise<ResultSet[]>((resolve, reject) => {
      if (queue.length === 0)
        setImmediate(() => {
          const group = queue;
          queue = [];
          void run(group);
        });
      queue.push({ statements, resolve, reject });
    });

  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "batch")
        return (statements: Statements, mode?: Parameters<Db["batch"]>[1]) =>
          mode === "read" ? read(statements) : target.batch(statements, mode);
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
