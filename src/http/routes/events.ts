import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { customEventBody, listEvents, recordCustomEvent, type RecordedEvent } from "../../event-log/custom-events.js";
import type { AppEnv } from "../app-env.js";
import { answer, defineRoute, errorReply, json, validated } from "../contract.js";
import { withIsoTimes } from "../iso-times.js";
import { eventAnswers } from "../schemas/events.js";
import { wholeNumber } from "../schemas/query.js";

const eventJson = (e: RecordedEvent) => withIsoTimes(e, "createdAt");
const events = { auth: "apiKey", tag: "Events" } as const;
const eventsQuery = z.object({
  type: z.string().max(100).optional(),
  limit: wholeNumber(50, 500),
  cursor: z.string().max(200).optional(),
});

/** The event log: a team's own events in (what rules with `event_types` count), every event out. */
export const EVENT_ROUTES = {
  record: defineRoute({
    ...events,
    method: "POST",
    path: "/api/events",
    summary: "Record a custom event (idempotent by id)",
    request: { body: customEventBody },
    responses: { 200: json(() => eventAnswers().eventBody), 201: json(() => eventAnswers().eventBody), 400: errorReply, 409: errorReply },
  }),
  list: defineRoute({
    ...events,
    method: "GET",
    path: "/api/events",
    summary: "Events, newest first, keyset-paged",
    request: { query: eventsQuery },
    responses: { 200: json(() => eventAnswers().eventsBody), 400: errorReply },
  }),
};

export function eventRoutes(deps: AppContext) {
  const R = EVENT_ROUTES;
  return new Hono<AppEnv>()
    .on(R.record.method, R.record.path, validated(R.record), async (c) => {
      const { event, created } = await recordCustomEvent(deps.db, c.req.valid("json"), deps.clock());
      return answer(c, R.record, created ? 201 : 200, { event: eventJson(event) });
    })
    .on(R.list.method, R.list.path, validated(R.list), async (c) => {
      const page = await listEvents(deps.db, c.req.valid("query"));
      return answer(c, R.list, 200, { events: page.events.map(eventJson), nextCursor: page.nextCursor });
    });
}
