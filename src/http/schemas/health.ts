import { z } from "zod";
import { lazy } from "../contract.js";

// What the public liveness route (routes/health.ts) answers: health only, no version.
// Built on first use (the OpenAPI document, the tests), never at a cold start.
export const healthAnswers = lazy(() => ({
  healthBody: z.strictObject({
    status: z.enum(["ok", "stale", "down"]),
    db: z.enum(["ok", "unreachable", "credentials_refused", "schema_behind", "unwritable"]),
    lastHeartbeatAt: z.string().nullable(),
    heartbeatAgeSeconds: z.number().nullable(),
    reason: z.string().optional(),
  }),
}));
