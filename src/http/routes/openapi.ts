import { Hono } from "hono";
import type { buildOpenApiDocument } from "../openapi/document.js";
import type { AppEnv } from "../app-env.js";

export function openApiRoutes() {
  let document: Promise<ReturnType<typeof buildOpenApiDocument>> | undefined;
  // The route table's ~270 response schemas are built on the first request for the document,
  // not at every cold start (zod schema construction was the largest part of one).
  const load = () => (document ??= import("../openapi/document.js").then((m) => m.buildOpenApiDocument()));
  return new Hono<AppEnv>().get("/api/openapi.json", async (c) => c.json(await load()));
}
