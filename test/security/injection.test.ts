import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { ROUTES } from "../../src/http/route-table.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, cronAuth, testDeps } from "../helpers/deps.js";
import { call } from "../helpers/runs.js";
import { HTML_INJECTION, SQL_INJECTIONS } from "./hostile-strings.js";

// Guarantee: text from users is data. SQL injection strings in any parameter change nothing
// but their own rows and read back verbatim; HTML in any stored text shows as text on the
// status page.

let t: TestDb;
let app: App;
let deps: ReturnType<typeof testDeps>;

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db });
  deps.testClock.set(Date.now());
  app = createApp(deps);
});
afterAll(() => t.cleanup());

const schema = async () =>
  (await t.db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")).rows.map((r) => `${r.type} ${r.name} ${r.sql}`);

describe("SQL injection strings", () => {
  it("in every path parameter and query value are answered without a 5xx and change nothing", async () => {
    await call(app, "POST", "/api/runs", { sessionId: "keep-me", taskDescription: "keep", totalTasks: 1 });
    const before = await schema();
    for (const r of ROUTES.filter((x) => x.auth === "apiKey" && x.method === "GET")) {
      const keys = Object.keys(r.request?.query?.shape ?? {});
      for (const s of SQL_INJECTIONS) {
        const path = r.path.replace(/:\w+/g, encodeURIComponent(s));
        const qs = new URLSearchParams(keys.map((k) => [k, s])).toString();
        const res = await app.request(`${path}${qs ? `?${qs}` : ""}`, { headers: apiAuth });
        expect(res.status, `${path}?${qs}`).toBeLessThan(500);
        await res.arrayBuffer();
      }
    }
    expect(await schema()).toEqual(before);
    expect((await call(app, "GET", "/api/runs/keep-me")).status).toBe(200);
  });

  it("in every text field of every write are stored and read back verbatim", async () => {
    const before = await schema();
    for (const [i, s] of SQL_INJECTIONS.entries()) {
      const sessionId = `${s}-${i}`;
      expect(
        (
          await call(app, "POST", "/api/runs", {
            sessionId,
            taskDescription: s,
            totalTasks: 2,
            gitCommitHash: s.slice(0, 100),
            planFilePath: s,
            progressFilePath: s,
          })
        ).status,
      ).toBe(201);
      expect(
        (await call(app, "POST", `/api/runs/${encodeURIComponent(sessionId)}/progress`, { completedTasks: 1, message: s })).status,
      ).toBe(200);
      const agentSessionId = `agent ${s} ${i}`;
      expect(
        (await call(app, "POST", "/api/executions", { agentSessionId, agentName: s, orchestrationSessionId: sessionId, taskId: s })).status,
      ).toBe(201);
      expect(
        (
          await call(app, "POST", `/api/executions/${encodeURIComponent(agentSessionId)}/complete`, {
            status: "failed",
            filesCreated: 0,
            filesModified: 0,
            retryCount: 0,
            selfHealed: false,
            errorMessage: s,
          })
        ).status,
      ).toBe(200);
      const run = await call(app, "GET", `/api/runs/${encodeURIComponent(sessionId)}`);
      expect(run.body.run ?? run.body).toMatchObject({ sessionId, taskDescription: s });
      const execs = await call(app, "GET", `/api/runs/${encodeURIComponent(sessionId)}/executions`);
      expect(JSON.stringify(execs.body)).toContain(JSON.stringify(s).slice(1, -1));
      const agent = await call(app, "GET", `/api/agents/${encodeURIComponent(s)}`);
      expect(agent.status).toBe(200);
      const silence = await call(app, "POST", "/api/silences", {
        matchers: { rule: s },
        until: new Date(Date.now() + 3600_000).toISOString(),
        comment: s,
      });
      expect(silence.status).toBe(201);
    }
    expect(await schema()).toEqual(before);
    const runs = await t.db.execute("SELECT COUNT(*) AS n FROM orchestrations");
    expect(Number(runs.rows[0]!.n)).toBe(SQL_INJECTIONS.length + 1);
  });
});

describe("HTML injection", () => {
  it("in every stored text the status page shows is escaped", async () => {
    const now = deps.clock();
    // A failed run (its id and description), which the heartbeat turns into a firing alert.
    await call(app, "POST", "/api/runs", { sessionId: `run ${HTML_INJECTION}`, taskDescription: HTML_INJECTION, totalTasks: 1 });
    await call(app, "POST", `/api/runs/${encodeURIComponent(`run ${HTML_INJECTION}`)}/complete`, {
      status: "failed",
      completedTasks: 0,
      failedTasks: 1,
    });
    // A failed conversation: its id, intent, summary and diagnosis category come from the model.
    await t.db.execute({
      sql: `INSERT INTO monitoring_results (session_id, activity_version, intent_type, verification_status, verdict_summary, analyzed_at, diagnostic_status, diagnostic_report_json)
            VALUES (?, 1, ?, 'fail', ?, ?, 'complete', ?)`,
      args: [`conv ${HTML_INJECTION}`, HTML_INJECTION, HTML_INJECTION, now - 60_000, JSON.stringify({ category: HTML_INJECTION })],
    });
    expect((await app.request("/api/cron/heartbeat", { headers: cronAuth })).status).toBe(200);
    const firing = await call(app, "GET", "/api/alerts?state=firing");
    expect(JSON.stringify(firing.body)).toContain("__xss");

    const res = await app.request("/status", { headers: { authorization: `Basic ${Buffer.from(`u:${API_KEY}`).toString("base64")}` } });
    const html = await res.text();
    expect(res.status).toBe(200);
    // Vigil's page has no script at all, so any script, handler or injected tag is a failure.
    expect(html).not.toMatch(/<script|<img|<svg onload|onerror="/i);
    const escaped = "&lt;script&gt;window.__xss=1&lt;/script&gt;";
    // Run id, run description, conversation id, intent, summary, alert summary at least.
    expect(html.split(escaped).length - 1).toBeGreaterThanOrEqual(6);
  });
});
