import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.js";
import { RECOUNT_MONITORING_HOURLY } from "../../src/db/migrations/0009-monitoring-hourly.js";
import { startDemo, type Demo } from "../../demo/run-demo.js";
import { demoSectionsFilled } from "../helpers/demo-sections.js";
import { API_KEY, CRON_SECRET } from "../helpers/deps.js";
import { findChromium, optionalSuite } from "../helpers/optional-program.js";
import { startServer, waitFor, type ServerProcess } from "../helpers/server-process.js";
import { XSS } from "../helpers/status-data.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

// Chromium from the @sparticuz/chromium npm package (or Debian's), driven by playwright-core.
const executablePath = await findChromium();
const suite = optionalSuite(
  "Chromium",
  executablePath !== undefined,
  "npm install (brings @sparticuz/chromium) or apt-get install chromium",
);
const dir = mkdtempSync(join(tmpdir(), "vigil-status-"));
let server: ServerProcess;
let browser: Browser;
let demo: Demo | undefined;

beforeAll(async () => {
  if (!suite.run) return;
  if (!executablePath) throw new Error("no Chromium: npm install (brings @sparticuz/chromium) or apt-get install chromium");
  const url = `file:${join(dir, "status.db")}`;
  server = await startServer({ TURSO_DATABASE_URL: url, VIGIL_API_KEY: API_KEY, CRON_SECRET, WEBHOOK_SECRET, LOCAL_SCHEDULER: "false" });
  const post = (path: string, init: RequestInit) => fetch(server.baseUrl + path, init);
  const api = (method: string, path: string, body: unknown) =>
    post(path, { method, headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  for (let i = 0; i < 20; i++) {
    await post("/api/webhooks/bot", signedRequest(botEvent("message.received")));
    await post("/api/webhooks/bot", signedRequest(botEvent("message.processed")));
    await post("/api/webhooks/bot", signedRequest(botEvent("response.sent", { latency_ms: 800 + i * 100 })));
  }
  await api("POST", "/api/runs", { sessionId: "deploy-xss", taskDescription: `Deploy ${XSS}`, totalTasks: 1 });
  await api("POST", "/api/runs/deploy-xss/complete", { status: "failed", completedTasks: 0, failedTasks: 1 });
  // Verdicts written straight into the server's database file, one with a hostile summary.
  const db = createDb({ url });
  await db.execute({
    sql: "INSERT INTO monitoring_results (session_id, activity_version, intent_type, verification_status, verdict_summary, analyzed_at) VALUES ('conv-xss', 1, 'book', 'fail', ?, ?)",
    args: [XSS, Date.now() - 60_000],
  });
  await db.execute(RECOUNT_MONITORING_HOURLY);
  db.close();
  await fetch(`${server.baseUrl}/api/cron/heartbeat`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
  browser = await chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  server?.child.kill("SIGTERM");
  await server?.exited;
  rmSync(dir, { recursive: true, force: true });
});

/** Every axis label's rendered font size, in CSS pixels. */
const tickSizes = (page: Page) =>
  page.$$eval(".tick", (els) =>
    els.map((e) => Number.parseFloat(getComputedStyle(e).fontSize) * (e.getBoundingClientRect().height > 0 ? 1 : 0)),
  );

/** Saved for the README when UPDATE_SCREENSHOTS=1; always under test/artifacts. */
function keepScreenshot(path: string, name: string) {
  if (process.env.UPDATE_SCREENSHOTS === "1") copyFileSync(path, join("docs", name));
}

describe.runIf(suite.run)(suite.title("the status page in a browser"), () => {
  it("asks for credentials without them", async () => {
    // A headless page turns the Basic challenge into a navigation error; the request API shows the answer.
    const context = await browser.newContext();
    const res = await context.request.get(`${server.baseUrl}/status`);
    expect(res.status()).toBe(401);
    expect(res.headers()["www-authenticate"]).toContain("Basic");
    await context.close();
  });

  it("shows the verdict, charts and tables, escapes hostile text, legible axes at any width", async () => {
    const context = await browser.newContext({
      httpCredentials: { username: "oncall", password: API_KEY },
      viewport: { width: 1200, height: 900 },
    });
    const page = await context.newPage();
    // The page's Content-Security-Policy must not block anything it needs.
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    const res = await page.goto(`${server.baseUrl}/`);
    expect(page.url()).toBe(`${server.baseUrl}/status`);
    expect(res?.status()).toBe(200);
    expect(res!.headers()["content-security-policy"]).toContain("default-src 'none'");
    await expect(page.locator("#verdict").textContent()).resolves.toMatch(/^(STABLE|NEEDS ATTENTION|IN PROGRESS)$/);
    expect(await page.locator("figure.chart svg").count()).toBe(6);
    expect(await page.locator("#chart-deliveries details tbody tr").count()).toBe(96);
    expect(await page.locator("#chart-signatures details tbody tr").count()).toBe(24);
    // Latency exists only for the hour with traffic: one visible dot, not an invisible one-point line.
    expect(await page.locator('#chart-latency line.dot[data-series="p95"]').count()).toBe(1);
    expect(blocked).toEqual([]);
    expect(await page.locator("#jobs tbody tr").count()).toBe(3);
    expect(await page.locator("#failed-runs tbody tr").count()).toBe(1);
    expect(await page.locator("#failed-runs").textContent()).toContain("<script>window.__xss = 1</script>");
    expect(await page.locator("#failed-conversations").textContent()).toContain('onerror="window.__xss = 2"');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("#firing").textContent()).toContain("run_failed");
    for (const width of [1200, 390]) {
      await page.setViewportSize({ width, height: 844 });
      const sizes = await tickSizes(page);
      expect(sizes.length).toBeGreaterThan(30);
      expect(Math.min(...sizes), `smallest axis label at ${width}px`).toBeGreaterThanOrEqual(11);
    }
    // The range switch is plain links: no script on the page, and following one changes the charts.
    await page.setViewportSize({ width: 1200, height: 900 });
    expect(await page.locator("script").count()).toBe(0);
    await page.click('nav.ranges a[href="/status?range=1h"]');
    expect(page.url()).toBe(`${server.baseUrl}/status?range=1h`);
    expect(await page.locator('nav.ranges a[aria-current="page"]').textContent()).toBe("1h");
    expect(await page.locator("#chart-deliveries details tbody tr").count()).toBe(60);
    await context.close();
  });

  it("npm run demo fills every section within two minutes, saved as screenshots", async () => {
    // The demo's clock steps one second per turn (see test/demo/demo.test.ts): two demo minutes, then look.
    demo = await startDemo({ dataDir: dir, port: 0, logLevel: "error", stepMs: 1000 });
    const d = demo;
    await waitFor(async () => (d.clock() - d.startedAt >= 120_000 ? true : undefined), 120_000, "two minutes of demo time");
    const context = await browser.newContext({
      httpCredentials: { username: "demo", password: d.apiKey },
      viewport: { width: 1200, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${d.baseUrl}/status`);
    expect(demoSectionsFilled(await page.content()), "sections still empty after two demo minutes").toEqual([]);
    expect(await page.locator(".empty").count()).toBe(0);
    mkdirSync("test/artifacts", { recursive: true });
    await page.screenshot({ path: "test/artifacts/status-full.png", fullPage: true });
    await page.setViewportSize({ width: 1100, height: 1250 });
    await page.screenshot({ path: "test/artifacts/status.png" });
    keepScreenshot("test/artifacts/status.png", "status.png");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test/artifacts/status-phone.png" });
    keepScreenshot("test/artifacts/status-phone.png", "status-phone.png");
    await context.close();
  });
});
