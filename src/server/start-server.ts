import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "../app.js";
import { prepareLocalDb } from "../db/client.js";
import { migrate } from "../db/migrate.js";
import { depsFromEnv, type Deps } from "../deps.js";
import type { Env } from "../env.js";
import { ConfigError } from "../errors.js";
import { logConfiguredFeatures } from "../features.js";
import { createLocalScheduler } from "../scheduling/local-scheduler.js";
import { cronEntries } from "../scheduling/schedules.js";
import { answerUnparsableRequest } from "./unparsable-request.js";

export interface LocalServer {
  baseUrl: string;
  deps: Deps;
  /** Calls a cron route with the cron secret, as Vercel would. */
  fire(path: string): Promise<void>;
  stop(): Promise<boolean>;
}

/**
 * The same app as on Vercel, on Node, with migrations applied and (optionally) the crons
 * fired locally on the schedules Vercel gets (vercel.ts). `npm run dev` and `npm run demo` both start it this way.
 */
export async function startLocalServer(env: Env & { CRON_SECRET: string }, overrides: Partial<Deps> = {}): Promise<LocalServer> {
  const deps = depsFromEnv(env, overrides);
  const log = deps.log.child({ job: "server" });
  logConfiguredFeatures(env, log);

  await prepareLocalDb(deps.db, env.TURSO_DATABASE_URL);
  const migration = await migrate(deps.db);
  log.info("database ready", { version: migration.version, applied: migration.applied });

  const server = createServer(
    getRequestListener(createApp(deps).fetch, { hostname: "127.0.0.1", errorHandler: answerUnparsableRequest(deps.log) }),
  );
  server.listen(env.PORT, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", (error: NodeJS.ErrnoException) => {
      deps.db.close();
      reject(
        error.code === "EADDRINUSE"
          ? new ConfigError(`Port ${env.PORT} is already in use: stop the other server or set PORT to a free port (PORT=0 picks one)`)
          : error,
      );
    });
  });
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
  const entries = cronEntries(env.schedules);
  const scheduler = createLocalScheduler({ entries, fire, log });
  if (env.LOCAL_SCHEDULER) {
    scheduler.start();
    // A dead-man's switch that starts out dead only confuses: beat once now.
    void fire("/api/cron/heartbeat").catch((error: unknown) => log.error("first heartbeat failed", { err: error }));
    log.info("local scheduler started", { crons: entries.map((c) => `${c.schedule} ${c.path}`) });
  }

  return {
    baseUrl,
    deps,
    fire,
    /** Resolves false when a job was still running after the grace period. */
    async stop() {
      const graceMs = env.SHUTDOWN_GRACE_SECONDS * 1000;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const drained = await scheduler.stop(graceMs);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      if (!drained) log.warn("a job was still running at shutdown; its lease will expire");
      deps.db.close();
      return drained;
    },
  };
}
