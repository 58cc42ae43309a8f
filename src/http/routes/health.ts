import { Hono } from "hono";
import { z } from "zod";
import { isCredentialsRefused } from "../../db/errors.js";
import { writeProbe } from "../../db/write-probe.js";
import type { AppContext } from "../context.js";
import { schemaAndLastRun } from "../../job-records/job-runs.js";
import type { AppEnv } from "../app-env.js";
import { parseCron } from "../../shared/cron-expression.js";
import { defineRoute, json, lazy } from "../contract.js";
import { schemaStatus } from "../schema-guard.js";

/**
 * Public liveness: any uptime checker can watch Vigil itself. Shows nothing but health. `db: "ok"`
 * means a write just succeeded (the probe row), not only a read; the heartbeat's age says whether
 * the crons run. No version: SPEC keeps the public answer to liveness, and a version tells a scanner
 * which advisories apply (operators read it from the key-protected /api/openapi.json).
 */
// Anyone may call /api/health: the write probe runs at most this often per instance.
const WRITE_PROBE_EVERY_MS = 10_000;

const healthBody = lazy(() =>
  z.strictObject({
    status: z.enum(["ok", "stale", "down"]),
    db: z.enum(["ok", "unreachable", "credentials_refused", "schema_behind", "unwritable"]),
    lastHeartbeatAt: z.string().nullable(),
    heartbeatAgeSeconds: z.number().nullable(),
    reason: z.string().optional(),
  }),
);

export const HEALTH_ROUTES = {
  health: defineRoute({
    method: "GET",
    path: "/api/health",
    auth: "public",
    tag: "Vigil",
    summary: "Liveness and the age of the last heartbeat",
    responses: { 200: json(healthBody), 503: json(healthBody, "Down or stale") },
  }),
};

export function healthRoutes(deps: AppContext) {
  let lastProbe: { at: number; error: unknown } | undefined;
  const probeWrite = async (now: number): Promise<unknown> => {
    if (lastProbe && now - lastProbe.at < WRITE_PROBE_EVERY_MS && now >= lastProbe.at) return lastProbe.error;
    let error: unknown;
    try {
      await writeProbe(deps.db, now);
    } catch (e) {
      error = e;
    }
    lastProbe = { at: now, error };
    return error;
  };
  // Worked out on the first request, not while a cold function starts.
  let staleLimit: number | undefined;
  const R = HEALTH_ROUTES;
  return new Hono<AppEnv>().on(R.health.method, R.health.path, async (c) => {
    const down = (db: string, reason: string) =>
      c.json({ status: "down", db, lastHeartbeatAt: null, heartbeatAgeSeconds: null, reason }, 503);

    // The probe goes out beside the read: one round trip's wait, not two.
    const probing = probeWrite(deps.clock());
    let read: Awaited<ReturnType<typeof schemaAndLastRun>>;
    try {
      read = await schemaAndLastRun(deps.db, "heartbeat", "ok");
    } catch (error) {
      if (isCredentialsRefused(error)) {
        deps.log.error("health: database refused the credentials", { route: "/api/health", err: error });
        return down("credentials_refused", "the database refused the credentials: check TURSO_AUTH_TOKEN (expired or revoked?)");
      }
      deps.log.error("health: database unreachable", { route: "/api/health", err: error });
      return down("unreachable", "the database does not answer");
    }
    const schema = schemaStatus(read.version);
    if (schema.behind) return down("schema_behind", schema.message);
    const writeError = await probing;
    if (writeError !== undefined) {
      deps.log.error("health: database does not take writes", { route: "/api/health", err: writeError });
      return down("unwritable", "the database answers reads but refuses writes");
    }

    const last = read.last;
    const lastAt = last ? (last.finishedAt ?? last.startedAt) : null;
    const age = lastAt === null ? null : Math.max(0, Math.round((deps.clock() - lastAt) / 1000));
    staleLimit ??= heartbeatStaleSeconds(deps.settings.jobs.schedules.heartbeat, deps.settings.http.heartbeatStaleSeconds);
    const staleAfterSeconds = staleLimit;
    const fresh = age !== null && age < staleAfterSeconds;
    const body = {
      status: fresh ? "ok" : "stale",
      db: "ok",
      lastHeartbeatAt: lastAt === null ? null : new Date(lastAt).toISOString(),
      heartbeatAgeSeconds: age,
      ...(fresh
        ? {}
        : {
            reason:
              age === null
                ? "no heartbeat has run yet: is the heartbeat cron scheduled?"
                : `last heartbeat ${age}s ago (limit ${staleAfterSeconds}s for "${deps.settings.jobs.schedules.heartbeat}"): the heartbeat cron is not running`,
          }),
    };
    return c.json(body, fresh ? 200 : 503);
  });
}

const WEEK_MINUTES = 7 * 24 * 60;

/**
 * HEARTBEAT_STALE_SECONDS is the limit for a heartbeat every minute; a slower HEARTBEAT_SCHEDULE
 * (an external scheduler every 5 minutes, Hobby's daily cron) adds its longest gap between fires
 * beyond that minute, so health follows the real schedule. Gaps are measured over one week.
 */
function heartbeatStaleSeconds(schedule: string, staleSeconds: number): number {
  const cron = parseCron(schedule);
  const start = Date.UTC(2026, 0, 5); // a Monday: a week from here holds every weekday once
  let previous: number | undefined;
  let first: number | undefined;
  let longest = 0;
  for (let m = 0; m < WEEK_MINUTES; m++) {
    const at = start + m * 60_000;
    if (!cron.matches(new Date(at))) continue;
    if (previous !== undefined) longest = Math.max(longest, at - previous);
    first ??= at;
    previous = at;
  }
  if (first === undefined || previous === undefined) return staleSeconds + WEEK_MINUTES * 60;
  // The gap that wraps from the week's last fire to the next week's first.
  longest = Math.max(longest, first + WEEK_MINUTES * 60_000 - previous);
  return staleSeconds + Math.round(longest / 1000) - 60;
}
