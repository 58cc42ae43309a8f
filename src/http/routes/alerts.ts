import { Hono } from "hono";
import { ackAlert, alertDetail, listAlerts } from "../../alerts/queries.js";
import { createSilence, expireSilence, listSilences, silenceBody, type Silence } from "../../alerts/silences.js";
import type { Deps } from "../../deps.js";
import { iso } from "../../time.js";
import type { AppEnv } from "../app-env.js";
import { defineRoute, errorReply, json, validated } from "../contract.js";
import { alertsQuery, idParam, silencesQuery } from "../schemas/requests.js";

const silenceJson = (s: Silence) => ({ ...s, startsAt: iso(s.startsAt), endsAt: iso(s.endsAt) });
const alerts = { auth: "apiKey", tag: "Alerts" } as const;

export const ALERT_ROUTES = {
  list: defineRoute({
    ...alerts,
    method: "GET",
    path: "/api/alerts",
    summary: "Alerts",
    request: { query: alertsQuery },
    responses: { 200: json((r) => r.alertsBody), 400: errorReply },
  }),
  detail: defineRoute({
    ...alerts,
    method: "GET",
    path: "/api/alerts/:id",
    summary: "One alert with transitions and notifications",
    request: { params: idParam },
    responses: { 200: json((r) => r.alertDetailBody), 400: errorReply, 404: errorReply },
  }),
  ack: defineRoute({
    ...alerts,
    method: "POST",
    path: "/api/alerts/:id/ack",
    summary: "Acknowledge: no repeats until it resolves",
    request: { params: idParam },
    responses: { 200: json((r) => r.alertDetailBody), 400: errorReply, 404: errorReply, 409: errorReply },
  }),
  silences: defineRoute({
    ...alerts,
    method: "GET",
    path: "/api/silences",
    summary: "Silences",
    request: { query: silencesQuery },
    responses: { 200: json((r) => r.silencesBody), 400: errorReply },
  }),
  silence: defineRoute({
    ...alerts,
    method: "POST",
    path: "/api/silences",
    summary: "Silence matching alerts until a time",
    request: { body: silenceBody },
    responses: { 201: json((r) => r.silenceBody), 400: errorReply },
  }),
  expire: defineRoute({
    ...alerts,
    method: "DELETE",
    path: "/api/silences/:id",
    summary: "End a silence",
    request: { params: idParam },
    responses: { 200: json((r) => r.expiredBody), 400: errorReply, 404: errorReply },
  }),
};

export function alertRoutes(deps: Deps) {
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
