import { loadDotEnv, loadEnv } from "../env.js";
import { createLogger } from "../log.js";
import { createDb, prepareLocalDb } from "./client.js";
import { migrate } from "./migrate.js";

// `npm run db:migrate`: applies pending migrations to TURSO_DATABASE_URL (Turso in production).
const log = createLogger({ base: { job: "migrate" } });
try {
  loadDotEnv();
  const env = loadEnv();
  const db = createDb({
    url: env.TURSO_DATABASE_URL,
    authToken: env.TURSO_AUTH_TOKEN,
    busyTimeoutMs: env.DB_BUSY_TIMEOUT_MS,
    syncUrl: env.TURSO_SYNC_URL,
    syncIntervalSeconds: env.TURSO_SYNC_INTERVAL_SECONDS,
  });
  await prepareLocalDb(db, env.TURSO_DATABASE_URL);
  const result = await migrate(db);
  log.info("migrations applied", { applied: result.applied, version: result.version });
  db.close();
} catch (error) {
  log.error("migration failed", { err: error });
  process.exitCode = 1;
}
