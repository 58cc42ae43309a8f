import type { InStatement, ResultSet } from "@libsql/client";
import type { Db } from "./client.js";
import { isDatabaseUnavailable } from "./errors.js";

export interface BatchWriter {
  /** Resolves once the statements are committed (durably), with their results. */
  write(statements: InStatement[]): Promise<ResultSet[]>;
}

interface Pending {
  statements: InStatement[];
  resolve(results: ResultSet[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit: writes that arrive while a commit is being prepared or is in flight are
 * coalesced into the next single write transaction, so many concurrent webhook requests
 * cost one commit (one fsync locally, one round trip to Turso) instead of one each. Each
 * caller still learns only after its own statements are committed.
 */
export function createBatchWriter(db: Db, options: { maxStatements?: number } = {}): BatchWriter {
  const maxStatements = options.maxStatements ?? 2000;
  let queue: Pending[] = [];
  let running = false;

  const takeBatch = (): Pending[] => {
    const batch: Pending[] = [];
    let size = 0;
    while (queue.length > 0 && (batch.length === 0 || size + queue[0]!.statements.length <= maxStatements)) {
      const next = queue.shift()!;
      size += next.statements.length;
      batch.push(next);
    }
    return batch;
  };

  const commit = async (batch: Pending[]) => {
    try {
      const results = await db.batch(batch.flatMap((p) => p.statements), "write");
      let offset = 0;
      for (const p of batch) {
        p.resolve(results.slice(offset, offset + p.statements.length));
        offset += p.statements.length;
      }
    } catch (error) {
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      // One bad write must not fail its neighbours: retry each on its own.
      for (const p of batch) await commit([p]);
    }
  };

  const drain = async () => {
    running = true;
    // Let the requests that arrived in the same turn of the event loop join this batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (queue.length > 0) await commit(takeBatch());
    running = false;
  };

  return {
    write(statements) {
      return new Promise((resolve, reject) => {
        queue.push({ statements, resolve, reject });
        if (!running) void drain();
      });
    },
  };
}
