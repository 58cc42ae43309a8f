import { z } from "zod";
import { lazy } from "../contract.js";

// What the event-log routes (routes/events.ts) answer. Times are ISO-8601 strings.
// Built on first use (the OpenAPI document, the tests), never at a cold start.
export const eventAnswers = lazy(() => {
  const event = z.strictObject({
    id: z.number(),
    type: z.string(),
    subject: z.string(),
    message: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    source: z.enum(["api", "vigil"]),
    key: z.string().nullable(),
    createdAt: z.string().nullable(),
  });
  return {
    eventBody: z.strictObject({ event }),
    eventsBody: z.strictObject({ events: z.array(event), nextCursor: z.string().nullable() }),
  };
});
