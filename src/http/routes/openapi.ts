import { Hono } from "hono";
import type { AppEnv } from "../app-env.js";
import { defineRoute, json, type RouteContract } from "../contract.js";
import type { buildOpenApiDocument } from "../openapi/document.js";
import { openApiAnswers } from "../schemas/openapi.js";

export const OPENAPI_ROUTES = {
  document: defineRoute({
    method: "GET",
    path: "/api/openapi.json",
    auth: "apiKey",
    tag: "Vigil",
    summary: "This document",
    responses: {
      200: json(() => openApiAnswers().documentBody),
    },
  }),
};

export function openApiRoutes(routes: readonly RouteContract[]) {
  let document: Promise<ReturnType<typeof buildOpenApiDocument>> | undefined;
  // The document, its generator (@hono/zod-openapi) and the response schemas are loaded on the
  // first request for it, not at every cold start (zod schema construction was the largest part of one).
  const load = () => (document ??= import("../openapi/document.js").then((m) => m.buildOpenApiDocument(routes)));
  const R = OPENAPI_ROUTES;
  // The one answer not built here: its type is the generator's (OpenAPIObject, wider than what
  // Vigil's document holds), so the schema is checked by the OpenAPI test instead of `answer()`.
  return new Hono<AppEnv>().on(R.document.method, R.document.path, async (c) => c.json(await load(), 200));
}
