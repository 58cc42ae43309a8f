import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.js";
import { RECOUNT_MONITORING_HOURLY } from "../../src/db/migrations/0009-monitoring-hourly.js";
import { API_KEY, CRON_SECRET } from "../helpers/deps.js";
import { startServer, type ServerProcess } from "../helpers/server-process.js";
import { XSS } from "../helpers/status-data.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

const CHROMIUM = "/usr/bin/chromium";
const dir = mkdtempSync(join(tmpdir(), "vigil-status-"));
let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
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
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.child.kill("SIGTERM");
  await server?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe("the status page in a browser", () => {
  it("asks for credentials without them", async () => {
    // A headless page turns the Basic challenge into a navigation error; the request API shows the answer.
    const context = await browser.newContext();
    const res = await context.request.get(`${server.baseUrl}/status`);
    expect(res.status()).toBe(401);
    expect(res.headers()["www-authenticate"]).toContain("Basic");
    await context.close();
  });

  it("shows the verdict, charts and tables, escapes hostile text, and is saved as a screenshot", async () => {
    const context = await browser.newContext({ httpCredentials: { username: "oncall", password: API_KEY }, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    // The page's Content-Security-Policy must not block anything it needs (issue 15, item 11).
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    const res = await page.goto(`${server.baseUrl}/status`);
    expect(res?.status()).toBe(200);
    await expect(page.locator("#verdict").textContent()).resolves.toMatch(/^(STABLE|NEEDS ATTENTION)$/);
    expect(await page.locator("figure.chart svg").count()).toBe(6);
    expect(res!.headers()["content-security-policy"]).toContain("default-src 'none'");
    expect(blocked).toEqual([]);
    const points = async (chart: string, series: string) =>
      (await page.locator(`#${chart} polyline[data-series="${series}"]`).getAttribute("points"))!.trim().split(/\s+/).filter(Boolean).length;
    expect(await points("chart-deliveries", "deliveries")).toBe(96);
    expect(await points("chart-signatures", "failures")).toBe(24);
    // Rates and latencies exist only for the hour with traffic.
    expect(await points("chart-latency", "p95")).toBe(1);
    expect(await page.locator("#jobs tbody tr").count()).toBe(3);
    expect(await page.locator("#failed-runs tbody tr").count()).toBe(1);
    expect(await page.locator("#failed-runs").textContent()).toContain("<script>window.__xss = 1</script>");
    expect(await page.locator("#failed-conversations").textContent()).toContain('onerror="window.__xss = 2"');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("#firing").textContent()).toContain("run_failed");
    mkdirSync("test/artifacts", { recursive: true });
    await page.screenshot({ path: "test/artifacts/status.png", fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test/artifacts/status-phone.png" });
    await context.close();
  });
});
