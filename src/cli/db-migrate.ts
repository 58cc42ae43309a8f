import { loadDotEnv, loadEnv } from "../env.js";
import { createLogger } from "../log.js";
import { createDb, prepareLocalDb } from "../db/client.js";
import { latestSchemaVersion, migrate, pendingMigrations, schemaVersion } from "../db/migrate.js";

// `npm run db:migrate`: applies pending migrations to TURSO_DATABASE_URL (Turso in production).
//   --status    says which migrations the database lacks (reads only); exit code 0
//   --dry-run   prints the SQL the pending migrations would run, and runs none of it
// The production build runs it too (scripts/build-vercel.mjs, docs/operations.md § Migrations).
const log = createLogger({ base: { job: "migrate" } });
const mode = process.argv.includes("--status") ? "status" : process.argv.includes("--dry-run") ? "dry-run" : "apply";
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
  if (mode === "apply") {
    const result = await migrate(db);
    log.info("migrations applied", { applied: result.applied, version: result.version });
  } else {
    const pending = await pendingMigrations(db);
    log.info("migration status", {
      version: await schemaVersion(db),
      latest: latestSchemaVersion(),
      pending: pending.map((m) => ({ id: m.id, name: m.name })),
    });
    if (mode === "dry-run") {
      for (const m of pending) process.stdout.write(`-- ${m.id}: ${m.name}\n${m.statements.map((s) => `${s.trim()};`).join("\n")}\n`);
    }
  }
  db.close();
} catch (error) {
  log.error("migration failed", { err: error });
  process.exitCode = 1;
}
