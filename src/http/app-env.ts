import type { LogFields } from "../log.js";

/** Hono's typed context for Vigil's app. `logFields`: a route's own fields for the request's one log line. */
export type AppEnv = { Variables: { requestId: string; logFields?: LogFields } };
