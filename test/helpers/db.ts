import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, prepareLocalDb, type Db } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";
import { startHranaServer, type HranaServer } from "../../fakes/hrana-server.js";

export interface TestDb {
  db: Db;
  /** What TURSO_DATABASE_URL would be: a file: URL, or the Hrana server's http: URL in remote mode. */
  url: string;
  dir: string;
  /** The Hrana server in front of the file, in remote mode. */
  remote?: HranaServer;
  cleanup(): void;
}

/**
 * `VIGIL_TEST_DB=remote` (npm run test:remote) puts every test database behind a Hrana-over-HTTP
 * server, so the suite runs @libsql/client in remote mode, as against Turso.
 */
export const remoteTestDb = process.env.VIGIL_TEST_DB === "remote";

/** A real libSQL file of its own for each test file, migrated unless asked not to be. */
export async function createTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-test-"));
  const path = join(dir, "vigil.db");
  const remote = remoteTestDb ? await startHranaServer({ path }) : undefined;
  const url = remote ? remote.url : `file:${path}`;
  const db = createDb({ url, busyTimeoutMs: 5000 });
  await prepareLocalDb(db, url);
  if (options.migrate !== false) await migrate(db);
  return {
    db,
    url,
    dir,
    remote,
    cleanup() {
      db.close();
      void remote?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
