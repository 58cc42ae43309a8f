import { LibsqlError } from "@libsql/client";
import type { Db } from "./client.js";
import { migrations as defaultMigrations, type Migration } from "./migrations/index.js";

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

export interface MigrationResult {
  applied: number[];
  version: number;
}

/**
 * Applies every pending migration, each in its own write transaction together with its
 * schema_migrations row. The row is inserted first, so when two processes race, the loser's
 * insert hits the primary key, its transaction rolls back whole, and it moves on.
 */
export async function migrate(db: Db, migrations: Migration[] = defaultMigrations): Promise<MigrationResult> {
  assertOrdered(migrations);
  await db.execute(CREATE_TABLE);
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await db.execute({ sql: "SELECT 1 FROM schema_migrations WHERE id = ?", args: [migration.id] });
    if (done.rows.length > 0) continue;
    try {
      await db.batch(
        [
          {
            sql: "INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)",
            args: [migration.id, migration.name, Date.now()],
          },
          ...migration.statements,
        ],
        "write",
      );
      applied.push(migration.id);
    } catch (error) {
      if (!isAlreadyApplied(error)) throw error;
    }
  }
  return { applied, version: await schemaVersion(db) };
}

/** The migrations not yet recorded in schema_migrations, in order; reads only (`db:migrate --status`). */
export async function pendingMigrations(db: Db, migrations: Migration[] = defaultMigrations): Promise<Migration[]> {
  let done: Set<number>;
  try {
    const rs = await db.execute("SELECT id FROM schema_migrations");
    done = new Set(rs.rows.map((r) => Number(r.id)));
  } catch (error) {
    if (!isMissingTable(error)) throw error;
    done = new Set();
  }
  return migrations.filter((m) => !done.has(m.id));
}

export const SCHEMA_VERSION_SQL = "SELECT COALESCE(MAX(id), 0) AS version FROM schema_migrations";

export async function schemaVersion(db: Db): Promise<number> {
  try {
    const rs = await db.execute(SCHEMA_VERSION_SQL);
    return Number(rs.rows[0]?.version ?? 0);
  } catch (error) {
    if (isMissingTable(error)) return 0;
    throw error;
  }
}

/** A database that was never migrated (or only partly): a file says so in the message, sqld too. */
export function isMissingTable(error: unknown): boolean {
  return error instanceof LibsqlError && /no such table/i.test(error.message);
}

export const latestSchemaVersion = (migrations: Migration[] = defaultMigrations): number => migrations.at(-1)?.id ?? 0;

/** Whether a database at `version` is behind this build, and what to do about it. */
export function schemaStatus(version: number): { behind: boolean; version: number; needed: number; message: string } {
  const needed = latestSchemaVersion();
  const behind = version < needed;
  const message = behind
    ? `Database schema is at version ${version} but this deployment needs ${needed}: run \`npm run db:migrate\` with TURSO_DATABASE_URL pointing at this database`
    : "schema is current";
  return { behind, version, needed, message };
}

function isAlreadyApplied(error: unknown): boolean {
  return (
    error instanceof LibsqlError &&
    /UNIQUE constraint failed: schema_migrations\.id|SQLITE_CONSTRAINT/i.test(`${error.code} ${error.message}`)
  );
}

function assertOrdered(migrations: Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (previous && m.id <= previous.id) throw new Error(`migration ids must increase: ${previous.id} then ${m.id}`);
  });
}
