import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { parseInput } from "../shared/parse-input.js";
import type { AppEnv } from "./app-env.js";
import { readJson } from "./validate.js";

/** Who may call a route: the auth matrix, the API-key guard and the document's `security` all read it. */
export type Auth = "public" | "apiKey" | "cron" | "signature" | "basic";

/**
 * A JSON answer. Its schema is built when something asks for it (the OpenAPI document, the tests),
 * never at a cold start: constructing every route's response schemas was the largest part of one.
 */
export interface JsonReply {
  schema: () => z.ZodType;
  description: string;
}
/** A non-JSON answer (HTML, Markdown, a redirect). */
export interface MediaReply {
  mediaType: string;
  description: string;
}
export type Reply = JsonReply | MediaReply;

export type Method = "GET" | "POST" | "DELETE";

/**
 * A route's whole contract: method, path (Hono's form), who may call it, its request schemas and
 * what it answers. The handler validates with `validated(route)`; the OpenAPI document
 * (`openapi/document.ts`, through @hono/zod-openapi's `createRoute`), the API-key guard and the
 * security tests are generated from the same object.
 */
export interface RouteContract<
  M extends Method = Method,
  P extends string = string,
  Q extends z.ZodObject | undefined = z.ZodObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  A extends z.ZodObject | undefined = z.ZodObject | undefined,
> {
  method: M;
  path: P;
  auth: Auth;
  tag: string;
  summary: string;
  request?: { params?: A; query?: Q; body?: B };
  /** Status → what the route answers with it. */
  responses: Record<number, Reply>;
}

export function defineRoute<
  const M extends Method,
  const P extends string,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  A extends z.ZodObject | undefined = undefined,
>(route: RouteContract<M, P, Q, B, A>): RouteContract<M, P, Q, B, A> {
  return route;
}

/** A value built on the first call, then kept. */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

export const json = (schema: () => z.ZodType, description = "OK"): JsonReply => ({ schema: lazy(schema), description });
export const media = (mediaType: string, description: string): MediaReply => ({ mediaType, description });

/** What `error-handler.ts` renders for every refusal. */
export const errorReply = json(
  () =>
    z.strictObject({
      error: z.strictObject({
        code: z.string(),
        message: z.string(),
        requestId: z.string(),
        problems: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
      }),
    }),
  "Error",
);

// Query strings and path segments arrive as strings: what a typed client may send for each field.
type AsStrings<T> = { [K in keyof T]: string };
type Part<S, Target extends string, In> = S extends z.ZodType ? { in: { [K in Target]: In }; out: { [K in Target]: z.output<S> } } : {};
type Validated<Q, B, A> = Part<Q, "query", AsStrings<z.input<Extract<Q, z.ZodType>>>> &
  Part<B, "json", z.input<Extract<B, z.ZodType>>> &
  Part<A, "param", AsStrings<z.input<Extract<A, z.ZodType>>>>;

/**
 * The route's request schemas as one middleware: the handler reads `c.req.valid("query" | "json" |
 * "param")`. A refusal is a `ValidationError` naming each field (rendered by `error-handler.ts`);
 * the body is read whatever its content type, so a body that is not JSON is a 400, as before.
 */
export function validated<
  P extends string,
  Q extends z.ZodObject | undefined,
  B extends z.ZodType | undefined,
  A extends z.ZodObject | undefined,
>(route: RouteContract<Method, P, Q, B, A>): MiddlewareHandler<AppEnv, P, Validated<Q, B, A>> {
  const { params, query, body } = route.request ?? {};
  return async (c, next) => {
    if (params) c.req.addValidatedData("param", parseInput(params, c.req.param(), "path") as object);
    if (query) c.req.addValidatedData("query", parseInput(query, c.req.query(), "query") as object);
    if (body) c.req.addValidatedData("json", parseInput(body, await readJson(c.req), "body") as object);
    await next();
  };
}
