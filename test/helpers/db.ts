import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, prepareLocalDb, type Db } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";

export interface TestDb {
  db: Db;
  url: string;
  dir: string;
  cleanup(): void;
}

/** A real libSQL file of its own for each test file, migrated unless asked not to be. */
export async function createTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-test-"));
  const url = `file:${join(dir, "vigil.db")}`;
  const db = createDb({ url, busyTimeoutMs: 5000 });
  await prepareLocalDb(db, url);
  if (options.migrate !== false) await migrate(db);
  return {
    db,
    url,
    dir,
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
