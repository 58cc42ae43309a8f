import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { seedDay, XSS } from "../helpers/status-data.js";
import { storeEvent } from "../stability/factories.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb;
let deps: ReturnType<typeof testDeps>;
const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`me:${password}`).toString("base64")}` });

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  const app = createApp(deps);
  await seedDay(app, deps);
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
    expect(html).toMatch(/id="firing"[\s\S]*response_time/);
    expect(html.match(/<figure class="chart"/g)).toHaveLength(6);
    // One row per quarter hour in the deliveries chart's data table, one bar per quarter with traffic.
    const deliveries = /<figure class="chart" id="chart-deliveries">[\s\S]*?<\/figure>/.exec(html)![0];
    expect(deliveries.match(/<tr><td>/g)).toHaveLength(96);
    expect(deliveries.match(/<rect data-series="deliveries"/g)!.length).toBeGreaterThan(60);
    // The hourly verdict counts behind the chart: 3 pass, 1 partial, 2 fail.
    expect(html).toContain("3 passed, 1 partial, 2 failed in the last 24 hours.");
    expect(html).toContain('id="failed-conversations"');
    expect(html).toContain('id="failed-runs"');
    expect(html).not.toMatch(/<link|<script|src="http/);
  });

  it("keeps low-severity notices (a run completed) apart from the alerts that need someone", async () => {
    const now = deps.clock();
    await t.db.execute({
      sql: "INSERT INTO alerts (rule, fingerprint, labels, severity, state, summary, started_at, fired_at, updated_at) VALUES ('run_completed', 'notice-test', '{}', 'low', 'firing', 'run notice-test completed: 2/2 tasks', ?, ?, ?)",
      args: [now, now, now],
    });
    const { html } = await page(basic(API_KEY));
    const firing = /<ul id="firing"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? "";
    const notices = /<details id="notices">[\s\S]*?<\/details>/.exec(html)?.[0] ?? "";
    expect(firing).not.toContain("notice-test");
    expect(notices).toContain("run notice-test completed");
    expect(/Alerts firing \((\d+)\)/.exec(html)?.[1]).toBe(String((firing.match(/<li /g) ?? []).length));
    await t.db.execute("DELETE FROM alerts WHERE fingerprint = 'notice-test'");
  });

  it("switches range with plain links: 1 h per minute, 24 h per quarter hour, 7 d per hour", async () => {
    const rows = (html: string, id: string) =>
      new RegExp(`<figure class="chart" id="${id}">[\\s\\S]*?<\\/figure>`).exec(html)![0].match(/<tr><td>/g)?.length;
    for (const [range, fine, coarse] of [
      ["1h", 60, 12],
      ["24h", 96, 24],
      ["7d", 168, 28],
    ] as const) {
      const res = await createApp({ ...deps, env: testEnv({ WEBHOOK_SECRET }) }).request(`/status?range=${range}`, {
        headers: basic(API_KEY),
      });
      const html = await res.text();
      expect(rows(html, "chart-deliveries"), range).toBe(fine);
      expect(rows(html, "chart-rates"), range).toBe(coarse);
      expect(html).toContain(`<a href="/status?range=${range}" aria-current="page">${range}</a>`);
    }
    // The 7-day view still counts the day's verdicts; an unknown range falls back to 24 h.
    const week = await (await createApp(deps).request("/status?range=7d", { headers: basic(API_KEY) })).text();
    expect(week).toContain("3 passed, 1 partial, 2 failed in the last 7 days.");
    const odd = await (await createApp(deps).request("/status?range=1y", { headers: basic(API_KEY) })).text();
    expect(odd).toContain('aria-current="page">24h</a>');
    expect(odd).not.toContain("<script");
  });

  it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])(
    "falls back to 24 h for range=%s, a name on every object's prototype",
    async (range) => {
      const res = await createApp(deps).request(`/status?range=${range}`, { headers: basic(API_KEY) });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('aria-current="page">24h</a>');
    },
  );

  it("draws axis labels as HTML text and a lone hour of latency as a visible dot", async () => {
    const { html } = await page(basic(API_KEY));
    const latency = /<figure class="chart" id="chart-latency">[\s\S]*?<\/figure>/.exec(html)![0];
    expect(latency).toMatch(/<div class="y-axis" aria-hidden="true"><span class="tick"/);
    expect(latency).not.toMatch(/<text/);
    const empty = await createTestDb();
    const quiet = testDeps({ db: empty.db, env: testEnv({ WEBHOOK_SECRET }) });
    const app = createApp(quiet);
    const now = quiet.clock();
    await storeEvent(quiet, now - 30 * 60_000, { type: "response.sent", latency_ms: 900 });
    quiet.testClock.set(now);
    const one = await (await app.request("/status", { headers: basic(API_KEY) })).text();
    const chart = /<figure class="chart" id="chart-latency">[\s\S]*?<\/figure>/.exec(one)![0];
    expect(chart.match(/<line data-series="p95" class="dot"/g)).toHaveLength(1);
    empty.cleanup();
  });

  it("with nothing received says no data yet, not NEEDS ATTENTION, and says what is not configured", async () => {
    const empty = await createTestDb();
    const app = createApp(testDeps({ db: empty.db, env: testEnv({ WEBHOOK_SECRET }), monitoring: undefined }));
    const html = await (await app.request("/status", { headers: basic(API_KEY) })).text();
    expect(html).toMatch(/id="verdict" class="verdict none">NO DATA YET</);
    expect(html).not.toContain("NEEDS ATTENTION");
    expect(html).not.toContain("✗");
    expect(html.match(/No data in this range yet/g)).toHaveLength(6);
    expect(html).toContain("No alert is firing.");
    expect(html).toContain("No failed conversation yet.");
    expect(html).toContain("No failed run yet.");
    expect(html).toContain('id="monitoring-off"');
    for (const heading of ["Bot stability", "Conversations", "Agent runs", "Checkpoints", "Vigil&#39;s own jobs"])
      expect(html).toContain(heading);
    empty.cleanup();
  });

  it("escapes everything that comes from the database", async () => {
    const { html } = await page(basic(API_KEY));
    expect(html).not.toContain("<script>window.__xss");
    expect(html).not.toContain("<img src=x onerror");
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

describe("GET /status headers", () => {
  it("forbids scripts, loading, framing and sniffing", async () => {
    const fresh = await createTestDb();
    const app = createApp(testDeps({ db: fresh.db }));
    const res = await app.request("/status", { headers: { authorization: `Basic ${Buffer.from(`u:${API_KEY}`).toString("base64")}` } });
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toContain("img-src data:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("script-src");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    // Nothing on the page needs what the policy forbids.
    const html = await res.text();
    expect(html).not.toMatch(/<script|<link|<iframe|\son[a-z]+=|src="http/i);
    fresh.cleanup();
  });
});
