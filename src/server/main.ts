import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "../app.js";
import { prepareLocalDb } from "../db/client.js";
import { migrate } from "../db/migrate.js";
import { depsFromEnv } from "../deps.js";
import { loadEnv } from "../env.js";
import { logConfiguredFeatures } from "../features.js";
import { createLogger } from "../log.js";
import { createLocalScheduler } from "../scheduling/local-scheduler.js";
import { cronEntries } from "../scheduling/schedules.js";

// `npm run dev`: the same app as on Vercel, on Node, with migrations applied and the
// vercel.json crons fired locally.
const bootLog = createLogger({ base: { job: "server" } });

async function main() {
  // A developer's .env, if there is one; on Vercel the platform sets the variables.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const loaded = loadEnv();
  const env = { ...loaded, CRON_SECRET: loaded.CRON_SECRET ?? randomBytes(24).toString("hex") };
  const deps = depsFromEnv(env);
  const log = deps.log.child({ job: "server" });
  if (!loaded.CRON_SECRET) log.info("CRON_SECRET not set: the local scheduler uses an ephemeral secret");
  logConfiguredFeatures(env, log);

  await prepareLocalDb(deps.db, env.TURSO_DATABASE_URL);
  const migration = await migrate(deps.db);
  log.info("database ready", { version: migration.version, applied: migration.applied });

  const app = createApp(deps);
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  log.info("listening", { url: baseUrl, port });

  const fire = async (path: string) => {
    const res = await fetch(baseUrl + path, {
      headers: { authorization: `Bearer ${env.CRON_SECRET}`, "user-agent": "vercel-cron/1.0" },
    });
    await res.body?.cancel();
    if (!res.ok) log.warn("scheduled call answered an error", { path, status: res.status });
  };
  const scheduler = createLocalScheduler({ entries: cronEntries, fire, log });
  if (env.LOCAL_SCHEDULER) {
    scheduler.start();
    // A dead-man's switch that starts out dead only confuses: beat once now.
    void fire("/api/cron/heartbeat").catch((error: unknown) => log.error("first heartbeat failed", { err: error }));
    log.info("local scheduler started", { crons: cronEntries.map((c) => `${c.schedule} ${c.path}`) });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    const graceMs = env.SHUTDOWN_GRACE_SECONDS * 1000;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const drained = await scheduler.stop(graceMs);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    if (!drained) log.warn("a job was still running at shutdown; its lease will expire");
    deps.db.close();
    log.info("stopped", { signal });
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  bootLog.error("startup failed", { err: error });
  process.exit(1);
});
