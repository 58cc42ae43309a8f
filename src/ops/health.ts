import { isCredentialsRefused } from "../db/errors.js";
import type { Db } from "../db/client.js";
import { schemaStatus } from "../db/migrate.js";
import { writeProbe } from "../db/write-probe.js";
import { schemaAndLastRun } from "../job-records/job-runs.js";
import type { Logger } from "../log.js";
import { parseCron } from "../shared/cron-expression.js";

// Anyone may ask for health: the write probe runs at most this often per instance.
const WRITE_PROBE_EVERY_MS = 10_000;

type DbHealth = "ok" | "unreachable" | "credentials_refused" | "schema_behind" | "unwritable";

/**
 * Vigil's own liveness. `db: "ok"` means a write just succeeded (the probe row), not only a read;
 * the heartbeat's age says whether the crons run. Anything but `status: "ok"` is a failure to an
 * uptime checker.
 */
interface Health {
  status: "ok" | "stale" | "down";
  db: DbHealth;
  lastHeartbeatAt: number | null;
  heartbeatAgeSeconds: number | null;
  reason?: string;
}

interface HealthContext {
  db: Db;
  log: Logger;
  clock: () => number;
  /** HEARTBEAT_SCHEDULE and HEARTBEAT_STALE_SECONDS. */
  heartbeat: { schedule: string; staleSeconds: number };
}

/** The health check of one instance: it keeps the last probe's outcome and the stale limit. */
export function createHealthCheck(ctx: HealthContext): () => Promise<Health> {
  let lastProbe: { at: number; error: unknown } | undefined;
  const probeWrite = async (now: number): Promise<unknown> => {
    if (lastProbe && now - lastProbe.at < WRITE_PROBE_EVERY_MS && now >= lastProbe.at) return lastProbe.error;
    let error: unknown;
    try {
      await writeProbe(ctx.db, now);
    } catch (e) {
      error = e;
    }
    lastProbe = { at: now, error };
    return error;
  };
  // Worked out on the first check, not while a cold function starts.
  let staleLimit: number | undefined;
  const down = (db: DbHealth, reason: string): Health => ({ status: "down", db, lastHeartbeatAt: null, heartbeatAgeSeconds: null, reason });

  return async () => {
    // The probe goes out beside the read: one round trip's wait, not two.
    const probing = probeWrite(ctx.clock());
    let read: Awaited<ReturnType<typeof schemaAndLastRun>>;
    try {
      read = await schemaAndLastRun(ctx.db, "heartbeat", "ok");
    } catch (error) {
      if (isCredentialsRefused(error)) {
        ctx.log.error("health: database refused the credentials", { route: "/api/health", err: error });
        return down("credentials_refused", "the database refused the credentials: check TURSO_AUTH_TOKEN (expired or revoked?)");
      }
      ctx.log.error("health: database unreachable", { route: "/api/health", err: error });
      return down("unreachable", "the database does not answer");
    }
    const schema = schemaStatus(read.version);
    if (schema.behind) return down("schema_behind", schema.message);
    const writeError = await probing;
    if (writeError !== undefined) {
      ctx.log.error("health: database does not take writes", { route: "/api/health", err: writeError });
      return down("unwritable", "the database answers reads but refuses writes");
    }

    const last = read.last;
    const lastAt = last ? (last.finishedAt ?? last.startedAt) : null;
    const age = lastAt === null ? null : Math.max(0, Math.round((ctx.clock() - lastAt) / 1000));
    const { schedule, staleSeconds } = ctx.heartbeat;
    staleLimit ??= heartbeatStaleSeconds(schedule, staleSeconds);
    const fresh = age !== null && age < staleLimit;
    const health: Health = { status: fresh ? "ok" : "stale", db: "ok", lastHeartbeatAt: lastAt, heartbeatAgeSeconds: age };
    if (fresh) return health;
    const reason =
      age === null
        ? "no heartbeat has run yet: is the heartbeat cron scheduled?"
        : `last heartbeat ${age}s ago (limit ${staleLimit}s for "${schedule}"): the heartbeat cron is not running`;
    return { ...health, reason };
  };
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
