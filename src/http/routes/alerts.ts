import { Hono } from "hono";
import { z } from "zod";
import { ackAlert, alertDetail, listAlerts } from "../../alerts/queries.js";
import { createSilence, expireSilence, listSilences, silenceBody, type Silence } from "../../alerts/silences.js";
import type { AppContext } from "../context.js";
import { iso } from "../../time.js";
import type { AppEnv } from "../app-env.js";
import { defineRoute, errorReply, json, lazy, validated } from "../contract.js";
import { countingNumber, isoTime, wholeNumber } from "../schemas/query.js";

const silenceJson = (s: Silence) => ({ ...s, startsAt: iso(s.startsAt), endsAt: iso(s.endsAt) });
const alerts = { auth: "apiKey", tag: "Alerts" } as const;
const alertsQuery = z.object({
  state: z.enum(["pending", "firing", "resolved"]).optional(),
  since: isoTime.optional(),
  limit: wholeNumber(100, 500),
});
const idParam = z.object({ id: countingNumber(Number.MAX_SAFE_INTEGER) });
const silencesQuery = z.object({ expired: z.enum(["true", "false"]).default("false") });

// Built on first use (the OpenAPI document, the tests), never at a cold start.
const answers = lazy(() => {
  const maybeTime = z.string().nullable();
  const labels = z.record(z.string(), z.string());
  const alert = z.strictObject({
    id: z.number(),
    rule: z.string(),
    labels,
    severity: z.string(),
    state: z.enum(["pending", "firing", "resolved"]),
    summary: z.string(),
    startedAt: maybeTime,
    firedAt: maybeTime,
    resolvedAt: maybeTime,
    lastNotifiedAt: maybeTime,
    ackedAt: maybeTime,
  });
  const alertsBody = z.strictObject({ alerts: z.array(alert) });
  const alertDetailBody = alert.extend({
    transitions: z.array(z.strictObject({ from: z.unknown(), to: z.string(), reason: z.string(), at: maybeTime })),
    notifications: z.array(
      z.strictObject({
        kind: z.string(),
        channel: z.string(),
        createdAt: maybeTime,
        attempts: z.number(),
        sentAt: maybeTime,
        failedAt: maybeTime,
        lastError: z.unknown(),
      }),
    ),
  });
  const silence = z.strictObject({ id: z.number(), matchers: labels, startsAt: maybeTime, endsAt: maybeTime, comment: z.string() });
  const silencesBody = z.strictObject({ silences: z.array(silence) });
  const createdBody = z.strictObject({ silence });
  const expiredBody = z.strictObject({ expired: z.literal(true) });
  return { alertsBody, alertDetailBody, silencesBody, createdBody, expiredBody };
});

export const ALERT_ROUTES = {
  list: defineRoute({
    ...alerts,
    method: "GET",
    path: "/api/alerts",
    summary: "Alerts",
    request: { query: alertsQuery },
    responses: { 200: json(() => answers().alertsBody), 400: errorReply },
  }),
  detail: defineRoute({
    ...alerts,
    method: "GET",
    path: "/api/alerts/:id",
    summary: "One alert with transitions and notifications",
    request: { params: idParam },
    responses: { 200: json(() => answers().alertDetailBody), 400: errorReply, 404: errorReply },
  }),
  ack: defineRoute({
    ...alerts,
    method: "POST",
    path: "/api/alerts/:id/ack",
    summary: "Acknowledge: no repeats until it resolves",
    request: { params: idParam },
    responses: { 200: json(() => answers().alertDetailBody), 400: errorReply, 404: errorReply, 409: errorReply },
  }),
  silences: defineRoute({
    ...alerts,
    method: "GET",
    path: "/api/silences",
    summary: "Silences",
    request: { query: silencesQuery },
    responses: { 200: json(() => answers().silencesBody), 400: errorReply },
  }),
  silence: defineRoute({
    ...alerts,
    method: "POST",
    path: "/api/silences",
    summary: "Silence matching alerts until a time",
    request: { body: silenceBody },
    responses: { 201: json(() => answers().createdBody), 400: errorReply },
  }),
  expire: defineRoute({
    ...alerts,
    method: "DELETE",
    path: "/api/silences/:id",
    summary: "End a silence",
    request: { params: idParam },
    responses: { 200: json(() => answers().expiredBody), 400: errorReply, 404: errorReply },
  }),
};

export function alertRoutes(deps: AppContext) {
  const { db } = deps;
  const R = ALERT_ROUTES;
  return new Hono<AppEnv>()
    .on(R.list.method, R.list.path, validated(R.list), async (c) => c.json({ alerts: await listAlerts(db, c.req.valid("query")) }, 200))
    .on(R.detail.method, R.detail.path, validated(R.detail), async (c) => c.json(await alertDetail(db, c.req.valid("param").id), 200))
    .on(R.ack.method, R.ack.path, validated(R.ack), async (c) => c.json(await ackAlert(db, c.req.valid("param").id, deps.clock()), 200))
    .on(R.silences.method, R.silences.path, validated(R.silences), async (c) => {
      const { expired } = c.req.valid("query");
      return c.json({ silences: (await listSilences(db, deps.clock(), expired === "true")).map(silenceJson) }, 200);
    })
    .on(R.silence.method, R.silence.path, validated(R.silence), async (c) =>
      c.json({ silence: silenceJson(await createSilence(db, c.req.valid("json"), deps.clock())) }, 201),
    )
    .on(R.expire.method, R.expire.path, validated(R.expire), async (c) => {
      await expireSilence(db, c.req.valid("param").id, deps.clock());
      return c.json({ expired: true as const }, 200);
    });
}
