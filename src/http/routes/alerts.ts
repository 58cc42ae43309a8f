import { Hono } from "hono";
import { ackAlert, alertDetail, listAlerts } from "../../alerts/queries.js";
import { createSilence, expireSilence, listSilences, silenceBody, type Silence } from "../../alerts/silences.js";
import type { Deps } from "../../deps.js";
import { iso } from "../../time.js";
import { alertsQuery, idParam, silencesQuery } from "../schemas/requests.js";
import type { AppEnv } from "../app-env.js";
import { parseInput } from "../../shared/parse-input.js";
import { readJson } from "../validate.js";

const silenceJson = (s: Silence) => ({ ...s, startsAt: iso(s.startsAt), endsAt: iso(s.endsAt) });

export function alertRoutes(deps: Deps) {
  const { db } = deps;
  return new Hono<AppEnv>()
    .get("/api/alerts", async (c) => c.json({ alerts: await listAlerts(db, parseInput(alertsQuery, c.req.query(), "query")) }))
    .get("/api/alerts/:id", async (c) => c.json(await alertDetail(db, parseInput(idParam, c.req.param(), "path").id)))
    .post("/api/alerts/:id/ack", async (c) => c.json(await ackAlert(db, parseInput(idParam, c.req.param(), "path").id, deps.clock())))
    .get("/api/silences", async (c) => {
      const { expired } = parseInput(silencesQuery, c.req.query(), "query");
      return c.json({ silences: (await listSilences(db, deps.clock(), expired === "true")).map(silenceJson) });
    })
    .post("/api/silences", async (c) => {
      const body = parseInput(silenceBody, await readJson(c.req), "body");
      return c.json({ silence: silenceJson(await createSilence(db, body, deps.clock())) }, 201);
    })
    .delete("/api/silences/:id", async (c) => {
      await expireSilence(db, parseInput(idParam, c.req.param(), "path").id, deps.clock());
      return c.json({ expired: true });
    });
}
