import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
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
export interface JsonReply<S extends z.ZodType = z.ZodType> {
  schema: () => S;
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
  R extends Record<number, Reply> = Record<number, Reply>,
> {
  method: M;
  path: P;
  auth: Auth;
  tag: string;
  summary: string;
  request?: { params?: A; query?: Q; body?: B };
  /** Status → what the route answers with it: `answer()` types a handler's body by it. */
  responses: R;
}

export function defineRoute<
  const M extends Method,
  const P extends string,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  A extends z.ZodObject | undefined = undefined,
  R extends Record<number, Reply> = Record<number, Reply>,
>(route: RouteContract<M, P, Q, B, A, R>): RouteContract<M, P, Q, B, A, R> {
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

export const json = <S extends z.ZodType>(schema: () => S, description = "OK"): JsonReply<S> => ({ schema: lazy(schema), description });
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
>(route: RouteContract<Method, P, Q, B, A, Record<number, Reply>>): MiddlewareHandler<AppEnv, P, Validated<Q, B, A>> {
  const { params, query, body } = route.request ?? {};
  return async (c, next) => {
    if (params) c.req.addValidatedData("param", parseInput(params, c.req.param(), "path") as object);
    if (query) c.req.addValidatedData("query", parseInput(query, c.req.query(), "query") as object);
    if (body) c.req.addValidatedData("json", parseInput(body, await readJson(c.req), "body") as object);
    await next();
  };
}

/** Each JSON status of a route → the body its schema declares. */
type JsonBodies<R> = R extends { responses: infer Res }
  ? { [S in keyof Res as Res[S] extends JsonReply ? S : never]: Res[S] extends JsonReply<infer Z> ? z.output<Z> : never }
  : never;

/** The body a route answers with a status: what a handler builds, and what `hc<AppType>` reads. */
export type AnswerBody<R, S extends keyof JsonBodies<R>> = JsonBodies<R>[S];
/** A status a route declares a JSON answer for. */
export type JsonStatus<R> = keyof JsonBodies<R> & ContentfulStatusCode;

/**
 * `T` with every key the declared shape `S` lacks turned to `never`, at any depth: TypeScript
 * only refuses extra keys in a literal written in place, and a strict schema refuses them at run
 * time, so a body built elsewhere (a spread row) must not carry one past the compiler either.
 */
export type Exactly<T, S> = unknown extends S
  ? T
  : T extends readonly (infer E)[]
    ? S extends readonly (infer F)[]
      ? readonly Exactly<E, F>[]
      : T
    : T extends object
      ? { [K in keyof T]: K extends keyof Extract<S, object> ? Exactly<T[K], Extract<S, object>[K]> : never }
      : T;

/**
 * A handler's JSON answer, typed by the route's contract: a status the route does not declare, a
 * missing or mistyped field, or a field its schema does not have fails `npm run typecheck`. The
 * response is `c.json`'s, so the typed client sees the declared body.
 */
export function answer<R extends RouteContract, S extends JsonStatus<R>, T extends AnswerBody<R, S>>(
  c: Context,
  _route: R,
  status: S,
  body: T & Exactly<T, AnswerBody<R, S>>,
) {
  return c.json<AnswerBody<R, S>, S>(body, status);
}
