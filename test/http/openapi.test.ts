import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { evaluateAlerts } from "../../src/alerts/engine.js";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";
import { RECOUNT_MONITORING_HOURLY } from "../../src/db/migrations/0009-monitoring-hourly.js";
import { ROUTES, routeKey } from "../../src/http/route-table.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb;
let deps: ReturnType<typeof testDeps>;
let app: ReturnType<typeof createApp>;
const exercised = new Set<string>();

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  deps.testClock.set(Date.now());
  app = createApp(deps);
  await t.db.execute({
    sql: `INSERT INTO monitor_sessions (session_key, first_activity, last_activity, observation_count, state, updated_at) VALUES ('conv-1', ?, ?, 2, 'analyzed', ?)`,
    args: [deps.clock(), deps.clock(), deps.clock()],
  });
  await t.db.execute({
    sql: "INSERT INTO monitoring_results (session_id, activity_version, intent_type, intent_confidence, verification_status, verdict_summary, analyzed_at) VALUES ('conv-1', 1, 'book', 0.9, 'fail', 'not booked', ?)",
    args: [deps.clock()],
  });
  await t.db.execute(RECOUNT_MONITORING_HOURLY);
});
afterAll(() => t.cleanup());

const spec = (method: string, path: string) =>
  ROUTES.find((r) => r.method === method && new RegExp(`^${r.path.replace(/:\w+/g, "[^/]+")}$`).test(path.split("?")[0]!));

/** Calls the app and checks the answer against the schema declared for its status. */
async function checked(method: string, path: string, init: RequestInit = {}) {
  const route = spec(method, path);
  expect(route, `${method} ${path} is not in the route table`).toBeDefined();
  exercised.add(routeKey(route!.method, route!.path));
  const res = await app.request(path, { method, ...init });
  const declared = route!.responses[res.status];
  expect(declared, `${method} ${path} answered ${res.status}, which is not declared`).toBeDefined();
  if ("mediaType" in declared!) {
    expect(res.headers.get("content-type")).toContain(declared.mediaType);
    return res.text();
  }
  const body = await res.json();
  // Strict schemas: a field the route answers but does not declare fails here.
  const parsed = declared!.schema().safeParse(body);
  expect(parsed.success, `${method} ${path} ${res.status}: ${parsed.success ? "" : parsed.error.message}`).toBe(true);
  return body;
}

const json = (body: unknown) => ({ headers: { ...apiAuth, "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with every route of the table", async () => {
    const doc = await checked("GET", "/api/openapi.json", { headers: apiAuth });
    expect(doc.openapi).toBe("3.1.0");
    for (const r of ROUTES) {
      const path = r.path.replace(/:(\w+)/g, "{$1}");
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path}`).toBeDefined();
    }
    expect(doc.paths["/api/runs"].post.requestBody.content["application/json"].schema.required).toEqual(
      expect.arrayContaining(["sessionId", "taskDescription", "totalTasks"]),
    );
  });

  it("declares every answer strictly: an object with fields allows no others (the cron summary is the job's own)", async () => {
    const doc = await (await app.request("/api/openapi.json", { headers: apiAuth })).json();
    const open: string[] = [];
    const walk = (schema: unknown, where: string) => {
      if (!schema || typeof schema !== "object") return;
      const s = schema as Record<string, unknown>;
      if (s.properties && s.additionalProperties !== false) open.push(where);
      for (const [key, value] of Object.entries(s)) {
        if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}.${key}[${i}]`));
        else walk(value, `${where}.${key}`);
      }
    };
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>))
      for (const [method, op] of Object.entries(methods))
        for (const [status, answer] of Object.entries(op.responses)) walk(answer, `${method.toUpperCase()} ${path} ${status}`);
    expect(open).toEqual(["GET /api/cron/{job} 200.content.application/json.schema"]);
  });

  it("lists every route the app serves, and nothing it does not", () => {
    const served = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => routeKey(r.method, r.path)));
    const declared = new Set(ROUTES.map((r) => routeKey(r.method, r.path)));
    expect(
      [...served].filter((k) => !declared.has(k)),
      "served but not declared",
    ).toEqual([]);
    expect(
      [...declared].filter((k) => !served.has(k)),
      "declared but not served",
    ).toEqual([]);
  });

  it("matches what every route answers", async () => {
    await checked("GET", "/api/health");
    await checked("GET", "/api/cron/heartbeat", { headers: cronAuth });
    await checked("GET", "/api/jobs", { headers: apiAuth });

    await checked("POST", "/api/webhooks/bot", signedRequest(botEvent("message.received")));
    await checked("POST", "/api/webhooks/bot", signedRequest({}, { secret: "whsec_d3Jvbmc=" }));
    // A closed checkpoint, so the nested shapes (metrics, red flags) are checked too, not an empty list.
    await checked("GET", "/api/cron/checkpoint", { headers: cronAuth });
    const report = await checked("GET", "/api/stability/report?hours=24", { headers: apiAuth });
    const { checkpoints } = await checked("GET", "/api/stability/checkpoints", { headers: apiAuth });
    expect(checkpoints.length, "checkpoints to check").toBeGreaterThan(0);
    expect(report.log.length, "report log entries to check").toBeGreaterThan(0);
    await checked("POST", "/api/stability/observation/restart", json({ source: "bot", note: "fix deployed" }));

    await checked("POST", "/api/runs", json({ sessionId: "r1", taskDescription: "Build", totalTasks: 2 }));
    await checked("POST", "/api/runs/r1/progress", json({ completedTasks: 1 }));
    await checked("POST", "/api/executions", json({ agentSessionId: "a1", agentName: "coder", orchestrationSessionId: "r1" }));
    await checked(
      "POST",
      "/api/executions/a1/complete",
      json({ status: "failed", filesCreated: 1, filesModified: 0, retryCount: 0, selfHealed: false, errorMessage: "x" }),
    );
    await checked("POST", "/api/runs/r1/complete", json({ status: "partial", completedTasks: 1, failedTasks: 1 }));
    await checked("GET", "/api/runs", { headers: apiAuth });
    await checked("GET", "/api/runs/r1", { headers: apiAuth });
    await checked("GET", "/api/runs/missing", { headers: apiAuth });
    await checked("GET", "/api/runs/r1/executions", { headers: apiAuth });
    await checked("GET", "/api/runs/r1/report", { headers: apiAuth });
    await checked("GET", "/api/runs/r1/archive", { headers: apiAuth });
    await checked("GET", "/api/stats/health", { headers: apiAuth });
    await checked("GET", "/api/stats/performance", { headers: apiAuth });
    await checked("GET", "/api/failures", { headers: apiAuth });
    await checked("GET", "/api/agents/coder", { headers: apiAuth });
    await checked("GET", "/api/export", { headers: apiAuth });
    await checked("DELETE", "/api/runs?olderThanDays=30", { headers: apiAuth });

    await checked(
      "POST",
      "/api/events",
      json({ id: "e1", type: "deploy_rolled_back", subject: "web-42", message: "m", labels: { env: "prod" } }),
    );
    await checked("GET", "/api/events?limit=1", { headers: apiAuth });

    await checked("GET", "/api/monitoring/results", { headers: apiAuth });
    await checked("GET", "/api/monitoring/sessions/conv-1", { headers: apiAuth });
    await checked("POST", "/api/monitoring/sessions/conv-1/reanalyze", { headers: apiAuth });
    const summary = await checked("GET", "/api/monitoring/summary", { headers: apiAuth });
    expect(summary.byIntent.length, "intents to check").toBeGreaterThan(0);

    await evaluateAlerts(deps, deps.clock(), DEFAULT_RULES, ["console"]);
    const { alerts } = await checked("GET", "/api/alerts", { headers: apiAuth });
    await checked("GET", `/api/alerts/${alerts[0].id}`, { headers: apiAuth });
    await checked("POST", `/api/alerts/${alerts[0].id}/ack`, { headers: apiAuth });
    const { silence } = await checked(
      "POST",
      "/api/silences",
      json({ matchers: { rule: "run_failed" }, until: new Date(Date.now() + 3600_000).toISOString(), comment: "deploy" }),
    );
    await checked("GET", "/api/silences", { headers: apiAuth });
    await checked("DELETE", `/api/silences/${silence.id}`, { headers: apiAuth });

    expect(await checked("GET", "/api/metrics", { headers: apiAuth })).toContain("# TYPE vigil_alerts_firing gauge");

    await checked("GET", "/status", { headers: { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString("base64")}` } });
    await checked("GET", "/status");
    await checked("GET", "/");

    const missed = ROUTES.map((r) => routeKey(r.method, r.path)).filter((k) => !exercised.has(k));
    expect(missed, "routes this test did not call").toEqual([]);
  });
});
