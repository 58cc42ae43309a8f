import { z } from "zod";
import { VERSION } from "../../version.js";
import { ROUTES, type Auth } from "./routes.js";
import { errorBody } from "../schemas/responses.js";

const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  public: [],
  apiKey: [{ apiKey: [] }],
  cron: [{ cronSecret: [] }],
  signature: [{ webhookSignature: [] }],
  basic: [{ statusBasic: [] }],
};

const jsonSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};

/** The OpenAPI 3.1 document, generated from the route table's zod schemas. */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const query = route.query
      ? Object.entries((jsonSchema(route.query, "input").properties ?? {}) as Record<string, unknown>).map(([name, schema]) => ({
          name,
          in: "query",
          required: false,
          schema,
        }))
      : [];
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, spec]) => [
        status,
        "mediaType" in spec
          ? { description: spec.description, content: { [spec.mediaType]: { schema: { type: "string" } } } }
          : { description: spec === errorBody ? "Error" : "OK", content: { "application/json": { schema: jsonSchema(spec, "output") } } },
      ]),
    );
    paths[path] ??= {};
    paths[path]![route.method.toLowerCase()] = {
      tags: [route.tag],
      summary: route.summary,
      security: SECURITY[route.auth],
      parameters: [...params, ...query],
      ...(route.body
        ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body, "input") } } } }
        : {}),
      responses: {
        ...responses,
        ...(route.auth !== "public" && !responses[401]
          ? {
              401: { description: "Missing or wrong secret", content: { "application/json": { schema: jsonSchema(errorBody, "output") } } },
            }
          : {}),
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Vigil", version: VERSION, description: "Production monitor for conversational AI bots and their agent pipelines." },
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "VIGIL_API_KEY" },
        cronSecret: { type: "http", scheme: "bearer", description: "CRON_SECRET (sent by Vercel Cron)" },
        statusBasic: { type: "http", scheme: "basic", description: "Any user name, VIGIL_API_KEY as the password" },
        webhookSignature: {
          type: "apiKey",
          in: "header",
          name: "webhook-signature",
          description: "Standard Webhooks signature (or X-Signature-256)",
        },
      },
    },
    paths,
  };
}
