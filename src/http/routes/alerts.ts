import { Hono } from "hono";
import { z } from "zod";
import { type Alert, type AlertDetail, ackAlert, alertDetail, listAlerts } from "../../alerts/alert-queries.js";
import { createSilence, expireSilence, listSilences, silenceBody, type Silence } from "../../alerts/silences.js";
import type { AppContext } from "../context.js";
import type { AppEnv } from "../app-env.js";
import { withIsoTimes } from "../iso-times.js";
import { alertAnswers } from "../schemas/alerts.js";
import { answer, defineRoute, errorReply, json, validated } from "../contract.js";
import { countingNumber, isoTime, wholeNumber } from "../schemas/query.js";

const silenceJson = (s: Silence) => withIsoTimes(s, "startsAt", "endsAt");
const alertJson = (a: Alert) => withIsoTimes(a, "startedAt", "firedAt", "resolvedAt", "lastNotifiedAt", "ackedAt");
const detailJson = ({ transitions, notifications, ...alert }: AlertDetail) => ({
  ...alertJson(alert),
  transitions: transitions.map((t) => withIsoTimes(t, "at")),
  notifications: notifications.map((n) => withIsoTimes(n, "createdAt", "sentAt", "failedAt")),
});
const alerts = { auth: "apiKey", tag: "Alerts" } as const;
const alertsQuery = z.object({
  state: z.enum(["pending", "firing", "resolved"]).optional(),
  since: isoTime.optional(),
  limit: wholeNumber(100, 500),
});
const idParam = z.object({ id: countingNumber(Number.MAX_SAFE_INTEGER) });
const silencesQuery = z.object({ expired: z.enum(["true", "false"]).default("false") });

export const ALERT_ROUTES = {
  list: defineRoute({
    ...alerts,
    method: "GET",
    path: "/api/alerts",
    summary: "Alerts",
    request: { query: alertsQuery },
    responses: { 200: json(() => alertAnswers().alertsBody), 400: errorReply },
  }),
  detail: defineRoute({
    ...alerts,
    method: "GET",
    path: "/api/alerts/:id",
    summary: "One alert with transitions and notifications",
    request: { params: idParam },
    responses: { 200: json(() => alertAnswers().alertDetailBody), 400: errorReply, 404: errorReply },
  }),
  ack: defineRoute({
    ...alerts,
    method: "POST",
    path: "/api/alerts/:id/ack",
    summary: "Acknowledge: no repeats until it resolves",
    request: { params: idParam },
    responses: { 200: json(() => alertAnswers().alertDetailBody), 400: errorReply, 404: errorReply, 409: errorReply },
  }),
  silences: defineRoute({
    ...alerts,
    method: "GET",
    path: "/api/silences",
    summary: "Silences",
    request: { query: silencesQuery },
    responses: { 200: json(() => alertAnswers().silencesBody), 400: errorReply },
  }),
  silence: defineRoute({
    ...alerts,
    method: "POST",
    path: "/api/silences",
    summary: "Silence matching alerts until a time",
    request: { body: silenceBody },
    responses: { 201: json(() => alertAnswers().createdBody), 400: errorReply },
  }),
  expire: defineRoute({
    ...alerts,
    method: "DELETE",
    path: "/api/silences/:id",
    summary: "End a silence",
    request: { params: idParam },
    responses: { 200: json(() => alertAnswers().expiredBody), 400: errorReply, 404: errorReply },
  }),
};

export function alertRoutes(deps: AppContext) {
  const { db } = deps;
  const R = ALERT_ROUTES;
  return new Hono<AppEnv>()
    .on(R.list.method, R.list.path, validated(R.list), async (c) =>
      answer(c, R.list, 200, { alerts: (await listAlerts(db, c.req.valid("query"))).map(alertJson) }),
    )
    .on(R.detail.method, R.detail.path, validated(R.detail), async (c) =>
      answer(c, R.detail, 200, detailJson(await alertDetail(db, c.req.valid("param").id))),
    )
    .on(R.ack.method, R.ack.path, validated(R.ack), async (c) =>
      answer(c, R.ack, 200, detailJson(await ackAlert(db, c.req.valid("param").id, deps.clock()))),
    )
    .on(R.silences.method, R.silences.path, validated(R.silences), async (c) => {
      const { expired } = c.req.valid("query");
      return answer(c, R.silences, 200, { silences: (await listSilences(db, deps.clock(), expired === "true")).map(silenceJson) });
    })
    .on(R.silence.method, R.silence.path, validated(R.silence), async (c) =>
      answer(c, R.silence, 201, { silence: silenceJson(await createSilence(db, c.req.valid("json"), deps.clock())) }),
    )
    .on(R.expire.method, R.expire.path, validated(R.expire), async (c) => {
      await expireSilence(db, c.req.valid("param").id, deps.clock());
      return answer(c, R.expire, 200, { expired: true });
    });
}
