import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { VERSION } from "../../version.js";
import { type Auth, errorReply, type Reply, type RouteContract } from "../contract.js";

// Loaded on the first request for the document (routes/openapi.ts), never at a cold start: the
// generator (@asteasolutions/zod-to-openapi, through @hono/zod-openapi) is not needed to answer
// anything else, and the routes' response schemas are built here, on first use.

const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  public: [],
  apiKey: [{ apiKey: [] }],
  cron: [{ cronSecret: [] }],
  signature: [{ webhookSignature: [] }],
  basic: [{ statusBasic: [] }],
};

const SECURITY_SCHEMES = {
  apiKey: { type: "http", scheme: "bearer", description: "VIGIL_API_KEY" },
  cronSecret: { type: "http", scheme: "bearer", description: "CRON_SECRET (sent by Vercel Cron)" },
  statusBasic: { type: "http", scheme: "basic", description: "Any user name, VIGIL_API_KEY as the password" },
  webhookSignature: {
    type: "apiKey",
    in: "header",
    name: "webhook-signature",
    description: "Standard Webhooks signature (or X-Signature-256)",
  },
} as const;

const response = (reply: Reply) =>
  "mediaType" in reply
    ? { description: reply.description, content: { [reply.mediaType]: { schema: z.string() } } }
    : { description: reply.description, content: { "application/json": { schema: reply.schema() } } };

/** One route as @hono/zod-openapi's `createRoute` config: OpenAPI's path form, path parameters as strings unless declared. */
function toRouteConfig(route: RouteContract) {
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const params = route.request?.params ?? (names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) : undefined);
  const responses = Object.fromEntries(Object.entries(route.responses).map(([status, reply]) => [status, response(reply)]));
  // Every guarded route can answer 401, declared or not.
  if (route.auth !== "public") responses[401] ??= response({ ...errorReply, description: "Missing or wrong secret" });
  const body = route.request?.body;
  return createRoute({
    method: route.method.toLowerCase() as "get" | "post" | "delete",
    path: route.path.replace(/:(\w+)/g, "{$1}"),
    tags: [route.tag],
    summary: route.summary,
    security: SECURITY[route.auth],
    request: {
      ...(params ? { params } : {}),
      ...(route.request?.query ? { query: route.request.query } : {}),
      ...(body ? { body: { required: true, content: { "application/json": { schema: body } } } } : {}),
    },
    responses,
  });
}

/**
 * The OpenAPI 3.1 document of the routes given, generated from their contracts' zod schemas. The
 * app passes its route table: the route table lists the document's own route, so this module
 * importing the table back made a cycle.
 */
export function buildOpenApiDocument(routes: readonly RouteContract[]) {
  const app = new OpenAPIHono();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  for (const route of routes) app.openAPIRegistry.registerPath(toRouteConfig(route));
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "Vigil", version: VERSION, description: "Production monitor for conversational AI bots and their agent pipelines." },
  });
}
