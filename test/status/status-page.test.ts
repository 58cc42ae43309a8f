import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { seedDay, XSS } from "../helpers/status-data.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb;
let deps: ReturnType<typeof testDeps>;
const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`me:${password}`).toString("base64")}` });

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  const app = createApp(deps);
  await seedDay(app, t.db, deps.testClock);
  await app.request("/api/cron/heartbeat", { headers: cronAuth });
  await app.request("/api/cron/checkpoint", { headers: cronAuth });
});
afterAll(() => t.cleanup());

const page = async (headers: Record<string, string> = {}, env: Record<string, string> = {}) => {
  const app = createApp({ ...deps, env: testEnv({ WEBHOOK_SECRET, ...env }) });
  const res = await app.request("/status", { headers });
  return { res, html: await res.text() };
};

describe("GET /status", () => {
  it("asks for the API key by HTTP Basic, and refuses a wrong one", async () => {
    const none = await page();
    expect(none.res.status).toBe(401);
    expect(none.res.headers.get("www-authenticate")).toContain("Basic");
    expect((await page(basic("wrong-password-wrong"))).res.status).toBe(401);
    expect((await page({ authorization: `Bearer ${API_KEY}` })).res.status).toBe(401);
  });

  it("shows the verdict, alerts, jobs, six charts and the lists to the key holder", async () => {
    const { res, html } = await page(basic(API_KEY));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(html).toContain('<meta http-equiv="refresh" content="60"');
    expect(html).toMatch(/id="verdict" class="verdict bad">NEEDS ATTENTION</);
    expect(html).toMatch(/id="firing"[^]*response_time/);
    expect(html.match(/<figure class="chart"/g)).toHaveLength(6);
    const deliveries = /<figure class="chart" id="chart-deliveries">[\s\S]*?<polyline[^>]*points="([^"]*)"/.exec(html)![1]!;
    expect(deliveries.trim().split(" ")).toHaveLength(96);
    // The hourly verdict counts behind the chart: 3 pass, 1 partial, 2 fail.
    expect(html).toContain("3 passed, 1 partial, 2 failed in 24 h.");
    expect(html).toContain('id="failed-conversations"');
    expect(html).toContain('id="failed-runs"');
    expect(html).not.toMatch(/<link|<script|src="http/);
  });

  it("escapes everything that comes from the database", async () => {
    const { html } = await page(basic(API_KEY));
    expect(html).not.toContain("<script>window.__xss");
    expect(html).not.toContain('<img src=x onerror');
    expect(html).toContain("&lt;script&gt;window.__xss = 1&lt;/script&gt;");
    expect(XSS).toContain("<script>");
  });

  it("in public mode shows aggregates and the verdict, never the lists", async () => {
    const { res, html } = await page({}, { STATUS_PAGE: "public" });
    expect(res.status).toBe(200);
    expect(html).toContain('id="verdict"');
    expect(html).not.toContain('id="failed-conversations"');
    expect(html).not.toContain("deploy-9");
    expect(html).not.toContain("__xss");
  });
});
