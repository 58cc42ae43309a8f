import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { latestSchemaVersion, migrate, schemaVersion } from "../../src/db/migrate.js";
import { migrations, type Migration } from "../../src/db/migrations/index.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, cronAuth, testDeps } from "../helpers/deps.js";
import { botEvent, signedRequest } from "../helpers/webhooks.js";

let t: TestDb | undefined;
afterEach(() => t?.cleanup());

const tables = async (test: TestDb) =>
  (await test.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).rows.map((r) => r.name);

describe("migrate", () => {
  it("applies every migration to a fresh database and records each", async () => {
    t = await createTestDb({ migrate: false });
    const result = await migrate(t.db);
    expect(result.applied).toEqual(migrations.map((m) => m.id));
    expect(result.version).toBe(latestSchemaVersion());
    expect(await tables(t)).toEqual(expect.arrayContaining(["job_runs", "job_leases", "schema_migrations"]));
  });

  it("does nothing when run again", async () => {
    t = await createTestDb({ migrate: false });
    await migrate(t.db);
    const again = await migrate(t.db);
    expect(again.applied).toEqual([]);
    const rows = await t.db.execute("SELECT COUNT(*) AS n FROM schema_migrations");
    expect(Number(rows.rows[0]?.n)).toBe(migrations.length);
  });

  it("applies a migration atomically: a failing statement leaves neither its tables nor its record", async () => {
    t = await createTestDb({ migrate: false });
    const broken: Migration[] = [
      ...migrations,
      { id: 999, name: "broken", statements: ["CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL"] },
    ];
    await expect(migrate(t.db, broken)).rejects.toThrow();
    expect(await tables(t)).not.toContain("half_done");
    expect(await schemaVersion(t.db)).toBe(latestSchemaVersion());
  });

  it("refuses migrations whose ids do not increase", async () => {
    t = await createTestDb({ migrate: false });
    await expect(
      migrate(t.db, [
        { id: 2, name: "b", statements: [] },
        { id: 1, name: "a", statements: [] },
      ]),
    ).rejects.toThrow(/must increase/);
  });

  it("is safe when two processes migrate the same file at once", async () => {
    t = await createTestDb({ migrate: false });
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "src/cli/db-migrate.ts"], {
          env: { ...process.env, TURSO_DATABASE_URL: t!.url },
        });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        child.on("close", (code) => resolve({ code, out }));
      });
    const results = await Promise.all([run(), run(), run()]);
    for (const r of results) expect(r.code, r.out).toBe(0);
    expect(await schemaVersion(t.db)).toBe(latestSchemaVersion());
    const applied = results.flatMap((r) => {
      const line = r.out.split("\n").find((l) => l.includes("migrations applied"));
      return line ? (JSON.parse(line).applied as number[]) : [];
    });
    // Every migration applied by exactly one of the three processes.
    expect(applied.sort()).toEqual(migrations.map((m) => m.id).sort());
  });
});

describe("a deployment whose schema is behind", () => {
  it("answers 503 saying to run the migration, never a raw SQL error", async () => {
    t = await createTestDb({ migrate: false });
    const app = createApp(testDeps({ db: t.db }));
    for (const [path, headers] of [
      ["/api/jobs", apiAuth],
      ["/api/cron/heartbeat", cronAuth],
      ["/api/health", {}],
      // Registered ahead of the shared guards, so it makes the check itself.
      ["/api/webhooks/bot", {}],
    ] as const) {
      const res = await app.request(path, path === "/api/webhooks/bot" ? signedRequest(botEvent("message.received")) : { headers });
      expect(res.status, path).toBe(503);
      const text = await res.text();
      expect(text, path).toContain("npm run db:migrate");
      expect(text, path).not.toMatch(/SQLITE|no such table/i);
    }
  });
});

describe("a rolled-back build on a migrated database", () => {
  it("still runs the writes the build before the latest migrations made (events.processed_at, stamped by its heartbeat)", async () => {
    t = await createTestDb();
    const rs = await t.db.execute({
      sql: "UPDATE events SET processed_at = ? WHERE processed_at IS NULL AND created_at <= ?",
      args: [1, 1],
    });
    expect(rs.rowsAffected).toBe(0);
  });
});

describe("npm run db:migrate -- --status / --dry-run", () => {
  const cli = (url: string, flag: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/cli/db-migrate.ts", flag], {
        env: { ...process.env, TURSO_DATABASE_URL: url },
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (code) => resolve({ code, out }));
    });
  const status = (out: string) => JSON.parse(out.split("\n").find((l) => l.includes("migration status"))!);

  it("--status names the migrations a database lacks and applies none of them", async () => {
    t = await createTestDb({ migrate: false });
    await migrate(t.db, migrations.slice(0, -2));
    const run = await cli(t.url, "--status");
    expect(run.code, run.out).toBe(0);
    const line = status(run.out);
    expect(line.version).toBe(migrations.at(-3)!.id);
    expect(line.latest).toBe(latestSchemaVersion());
    expect(line.pending).toEqual(migrations.slice(-2).map((m) => ({ id: m.id, name: m.name })));
    expect(await schemaVersion(t.db)).toBe(migrations.at(-3)!.id);
    expect(status((await cli(t.url, "--status")).out).pending).toHaveLength(2);
  });

  it("--dry-run prints the SQL of each pending migration without running it", async () => {
    t = await createTestDb({ migrate: false });
    const run = await cli(t.url, "--dry-run");
    expect(run.code, run.out).toBe(0);
    for (const m of migrations) expect(run.out).toContain(`-- ${m.id}: ${m.name}`);
    expect(run.out).toContain(migrations[0]!.statements[0]!.trim());
    expect(await tables(t)).not.toContain("job_runs");
  });
});
