import { z } from "zod";

// Request schemas of the query and path parameters: the handlers validate with them and the
// OpenAPI document is generated from them, so the two cannot drift apart.

const isoTime = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v));
const limit = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const hoursQuery = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24),
});
export const failuresQuery = z.object({ limit: limit(10, 500) });
export const runsListQuery = z.object({
  status: z.enum(["running", "completed", "failed", "partial"]).optional(),
  limit: limit(50, 500),
  cursor: z.string().max(200).optional(),
});
export const cleanupQuery = z.object({ olderThanDays: z.coerce.number().int().min(1).max(3650) });
export const exportQuery = z.object({ session: z.string().min(1).max(200).optional() });

export const reportQuery = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  format: z.enum(["json", "markdown"]).default("json"),
});
export const checkpointsQuery = z.object({ limit: limit(20, 500) });

export const resultsQuery = z.object({
  status: z.enum(["pass", "fail", "partial", "error", "skipped"]).optional(),
  intent: z.string().min(1).max(100).optional(),
  since: isoTime.optional(),
  limit: limit(50, 500),
  cursor: z.string().max(200).optional(),
});
export const summaryQuery = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
});

export const alertsQuery = z.object({
  state: z.enum(["pending", "firing", "resolved"]).optional(),
  since: isoTime.optional(),
  limit: limit(100, 500),
});
export const idParam = z.object({ id: z.coerce.number().int().positive() });
export const silencesQuery = z.object({ expired: z.enum(["true", "false"]).default("false") });
