import { createDb, type Db } from "./db/client.js";
import type { Env } from "./env.js";
import { createLogger, type Logger } from "./log.js";

/** Everything outside the process, passed into createApp and the jobs so tests can swap it. */
export interface Deps {
  env: Env;
  db: Db;
  log: Logger;
  /** Milliseconds since the epoch. */
  clock: () => number;
}

export function depsFromEnv(env: Env, overrides: Partial<Deps> = {}): Deps {
  return {
    env,
    db:
      overrides.db ??
      createDb({ url: env.TURSO_DATABASE_URL, authToken: env.TURSO_AUTH_TOKEN, busyTimeoutMs: env.DB_BUSY_TIMEOUT_MS }),
    log: overrides.log ?? createLogger({ level: env.LOG_LEVEL }),
    clock: overrides.clock ?? Date.now,
  };
}
