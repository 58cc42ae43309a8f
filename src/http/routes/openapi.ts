import { Hono } from "hono";
import { buildOpenApiDocument } from "../openapi/document.js";
import type { AppEnv } from "../app-env.js";

export function openApiRoutes() {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  return new Hono<AppEnv>().get("/api/openapi.json", (c) => c.json((document ??= buildOpenApiDocument())));
}
