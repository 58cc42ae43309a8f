import { type Context, Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/http/app-env.js";
import { type AnswerBody, answer, type JsonReply } from "../../src/http/contract.js";
import { jsonWithHeaders } from "../../src/http/request-envelope.js";
import { ALERT_ROUTES } from "../../src/http/routes/alerts.js";
import { WEBHOOK_ROUTES } from "../../src/http/routes/webhooks.js";

// A handler's body is typed by its route's contract (`answer`, `jsonWithHeaders`): each handler
// below answers something the route's schema refuses, and each carries a @ts-expect-error, so
// `npm run typecheck` (tsconfig includes test/) fails the day the compiler lets one through.
// At run time the same bodies are checked against the schema, so compiler and schema agree.

const S = ALERT_ROUTES.silences;
const E = WEBHOOK_ROUTES.event;
type Silence = AnswerBody<typeof S, 200>["silences"][number];
const silence: Silence = { id: 1, matchers: { source: "meta" }, startsAt: "2026-12-04T10:00:00.000Z", endsAt: null, comment: "deploy" };
// Not a literal written in place: TypeScript's own excess-property check does not see its extra field.
const withExtra = { ...silence, createdBy: "ops" };
const { comment: _, ...withoutComment } = silence;

type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;
const wrong: Record<string, { status: number; route: { responses: Record<number, unknown> }; handler: Handler }> = {
  "a missing field": {
    status: 200,
    route: S,
    // @ts-expect-error `comment` is required
    handler: (c) => answer(c, S, 200, { silences: [withoutComment] }),
  },
  "a mistyped field": {
    status: 200,
    route: S,
    // @ts-expect-error `id` is a number
    handler: (c) => answer(c, S, 200, { silences: [{ ...silence, id: "1" }] }),
  },
  "a field the schema does not declare, spread in from elsewhere": {
    status: 200,
    route: S,
    // @ts-expect-error `createdBy` is not in the strict schema
    handler: (c) => answer(c, S, 200, { silences: [withExtra] }),
  },
  "a status the route does not declare": {
    status: 201,
    route: S,
    // @ts-expect-error the silences list answers 200 only
    handler: (c) => answer(c, S, 201, { silences: [silence] }),
  },
  "the webhook's hot-path answer without its type": {
    status: 200,
    route: E,
    // @ts-expect-error `type` is required
    handler: (c) => jsonWithHeaders(c, E, 200, { received: true, id: "msg_1", duplicate: false }),
  },
};

function serve(handler: Handler) {
  return new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set("requestId", "req-1");
      await next();
    })
    .get("/", handler);
}

/** Whether the route's declared schema for the status accepts the body (false when the status is undeclared). */
function declared(route: { responses: Record<number, unknown> }, status: number, body: unknown): boolean {
  const reply = route.responses[status] as JsonReply | undefined;
  return reply?.schema().safeParse(body).success === true;
}

describe("a handler's answer", () => {
  it("that the compiler accepts is what the route's schema declares", async () => {
    const res = await serve((c) => answer(c, S, 200, { silences: [silence] })).request("/");
    expect(res.status).toBe(200);
    expect(declared(S, 200, await res.json())).toBe(true);
    const ack = await serve((c) => jsonWithHeaders(c, E, 200, { received: true, id: "msg_1", type: "message", duplicate: false })).request(
      "/",
    );
    expect(declared(E, 200, await ack.json())).toBe(true);
  });

  for (const [shape, { status, route, handler }] of Object.entries(wrong)) {
    it(`with ${shape} fails the typecheck and the route's schema alike`, async () => {
      const res = await serve(handler).request("/");
      expect(res.status).toBe(status);
      expect(declared(route, status, await res.json())).toBe(false);
    });
  }
});
