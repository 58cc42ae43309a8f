import { z } from "zod";
import { lazy } from "../contract.js";

// What the signed webhook route (routes/webhooks.ts) answers once the event is committed.
// Built on first use (the OpenAPI document, the tests), never at a cold start.
export const webhookAnswers = lazy(() => ({
  receivedBody: z.strictObject({ received: z.literal(true), id: z.string(), type: z.string(), duplicate: z.boolean() }),
}));
