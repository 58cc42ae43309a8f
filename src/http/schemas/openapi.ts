import { z } from "zod";
import { lazy } from "../contract.js";

// The outline of the OpenAPI document (routes/openapi.ts): its paths and components are the generator's.
// Built on first use (the OpenAPI document, the tests), never at a cold start.
export const openApiAnswers = lazy(() => ({
  documentBody: z.strictObject({
    openapi: z.string(),
    info: z.strictObject({ title: z.string(), version: z.string(), description: z.string() }),
    components: z.record(z.string(), z.unknown()),
    paths: z.record(z.string(), z.unknown()),
    webhooks: z.record(z.string(), z.unknown()),
  }),
}));
