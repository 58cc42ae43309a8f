import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { schemaAndLastRun } from "../../jobs/job-runs.js";
import { VERSION } from "../../version.js";
import type { AppEnv } from "../app-env.js";
import { schemaStatus } from "../schema-guard.js";

/** Public liveness: any uptime checker can watch Vigil itself. Shows nothing but health. */
export function healthRoutes(deps: Deps) {
  return new Hono<AppEnv>().get("/api/health", async (c) => {
    const down = (db: string, reason: string) =>
      c.json({ status: "down", db, lastHeartbeatAt: null, heartbeatAgeSeconds: null, version: VERSION, reason }, 503);

    // One round trip: at Turso's distance every statement is a network call.
    let read: Awaited<ReturnType<typeof schemaAndLastRun>>;
    try {
      read = await schemaAndLastRun(deps.db, "heartbeat", "ok");
    } catch (error) {
      deps.log.error("health: database unreachable", { route: "/api/health", err: error });
      return down("unreachable", "the database does not answer");
    }
    const schema = schemaStatus(read.version);
    if (schema.behind) return down("schema_behind", schema.message);

    const last = read.last;
    const lastAt = last ? (last.finishedAt ?? last.startedAt) : null;
    const age = lastAt === null ? null : Math.max(0, Math.round((deps.clock() - lastAt) / 1000));
    const fresh = age !== null && age < deps.env.HEARTBEAT_STALE_SECONDS;
    const body = {
      status: fresh ? "ok" : "stale",
      db: "ok",
      lastHeartbeatAt: lastAt === null ? null : new Date(lastAt).toISOString(),
      heartbeatAgeSeconds: age,
      version: VERSION,
      ...(fresh
        ? {}
        : {
            reason:
              age === null
                ? "no heartbeat has run yet: is the heartbeat cron scheduled?"
                : `last heartbeat ${age}s ago (limit ${deps.env.HEARTBEAT_STALE_SECONDS}s): the heartbeat cron is not running`,
          }),
    };
    return c.json(body, fresh ? 200 : 503);
  });
}
