import type { InStatement, ResultSet } from "@libsql/client";
import type { Db } from "./client.js";
import { createGroupCommit } from "./group-commit.js";

export interface BatchWriter {
  /** Resolves once the statements are committed (durably), with their results. */
  write(statements: InStatement[]): Promise<ResultSet[]>;
}

/** Group commit of arbitrary statements: one transaction for every write that arrives together. */
export function createBatchWriter(db: Db, options: { maxStatements?: number } = {}): BatchWriter {
  const write = createGroupCommit<InStatement[], ResultSet[]>({
    maxWeight: options.maxStatements ?? 2000,
    weight: (statements) => statements.length,
    async commit(batch) {
      const results = await db.batch(batch.flat(), "write");
      let offset = 0;
      return batch.map((statements) => {
        const own = results.slice(offset, offset + statements.length);
        offset += statements.length;
        return own;
      });
    },
  });
  return { write };
}
