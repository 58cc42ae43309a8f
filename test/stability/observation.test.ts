import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { H, M } from "../helpers/stability.js";
import { storeEvent, storeExchange } from "./factories.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

// Seed 003: production readiness is the outcome of a *completed* 24-hour period "without
// interruption", restarted after a critical issue. A verdict is never given on less.
let t: TestDb | undefined;
afterEach(() => t?.cleanup());

const day = Date.parse("2026-11-23T00:00:00Z");

async function world(env: Record<string, string> = {}) {
  t = await createTestDb();
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET, ...env }) });
  const app = createApp(deps);
  const report = async (hours = 24) => (await app.request(`/api/stability/report?hours=${hours}`, { headers: apiAuth })).json();
  const markdown = async (hours = 24) =>
    (await app.request(`/api/stability/report?hours=${hours}&format=markdown`, { headers: apiAuth })).text();
  const restart = (body: Record<string, string>) =>
    app.request("/api/stability/observation/restart", {
      method: "POST",
      headers: { ...apiAuth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  return { deps, app, report, markdown, restart };
}

/** Healthy exchanges every `every` from `from` until `to`. */
async function traffic(w: Awaited<ReturnType<typeof world>>, from: number, to: number, every = 20 * M, source = "bot") {
  for (let at = from; at < to; at += every) {
    await storeEvent(w.deps, at, { type: "message.received", conversation_id: `c-${at}` }, source);
    await storeEvent(w.deps, at + 1000, { type: "message.processed", conversation_id: `c-${at}` }, source);
    await storeEvent(w.deps, at + 2000, { type: "response.sent", latency_ms: 1500, conversation_id: `c-${at}` }, source);
  }
}

describe("observation periods", () => {
  it("a fresh instance with a few minutes of healthy traffic is IN_PROGRESS, never STABLE or production-ready", async () => {
    const w = await world();
    for (let i = 0; i < 5; i++) await storeExchange(w.deps, day + i * M, 1500);
    w.deps.testClock.set(day + 7 * M);
    const r = await w.report();
    expect(r).toMatchObject({ status: "IN_PROGRESS", productionReady: false, totals: { deliveries: 5 } });
    expect(r.observation).toMatchObject({ since: "2026-11-23T00:00:00.000Z", complete: false, requiredHours: 24, observedHours: 0.1 });
    // Start is the period's start, not 24 hours ago: no window reaches before it.
    expect(r.start).toBe("2026-11-23T00:00:00.000Z");
    expect(r.checks.every((c: { state: string }) => c.state === "pass")).toBe(true);
    const md = await w.markdown();
    expect(md).toContain("**Status:** IN PROGRESS (0 of 24 hours observed)");
    expect(md).toContain("**Production Ready:** NO (period in progress: 0 of 24 hours observed)");
    expect(md).toMatch(/### Hour 0 \(latest, period in progress\)/);
    const page = await (
      await w.app.request("/status", { headers: { authorization: `Basic ${btoa(`u:${apiAuth.authorization.slice(7)}`)}` } })
    ).text();
    expect(page).toContain("IN PROGRESS");
    expect(page).toContain("0 of 24 hours observed");
    const job = await (await w.app.request("/api/cron/checkpoint", { headers: cronAuth })).json();
    expect(JSON.stringify(job)).toContain('"verdict":{"status":"IN_PROGRESS","productionReady":false,"observed":"0 of 24 hours observed"}');
  });

  it("24 hours of healthy traffic is STABLE and production-ready; hours=1 follows the same rule for its own length", async () => {
    const w = await world();
    await traffic(w, day, day + 24 * H + 10 * M);
    w.deps.testClock.set(day + 24 * H + 10 * M);
    expect(await w.report()).toMatchObject({ status: "STABLE", productionReady: true, observation: { complete: true } });
    expect(await w.report(1)).toMatchObject({ status: "STABLE", productionReady: true });

    const fresh = await world();
    await traffic(fresh, day, day + 40 * M, 5 * M);
    fresh.deps.testClock.set(day + 40 * M);
    expect(await fresh.report(1)).toMatchObject({ status: "IN_PROGRESS", productionReady: false, observation: { complete: false } });
    await traffic(fresh, day + 40 * M, day + 65 * M, 5 * M);
    fresh.deps.testClock.set(day + 65 * M);
    expect(await fresh.report(1)).toMatchObject({ status: "STABLE", productionReady: true, observation: { complete: true } });
  });

  it("a critical issue during the period restarts it; a person restarts it again after the fix", async () => {
    const w = await world();
    await traffic(w, day, day + 30 * H);
    await storeEvent(w.deps, day + 27 * H + 7 * M, {
      type: "error",
      conversation_id: "c-err",
      error: { type: "send_failed", message: "WhatsApp API 500" },
    });
    w.deps.testClock.set(day + 30 * H);
    const r = await w.report();
    expect(r).toMatchObject({ status: "NEEDS_ATTENTION", productionReady: false });
    expect(r.observation).toMatchObject({
      since: "2026-11-24T03:07:00.000Z",
      why: "restarted by a critical issue (processing_errors)",
      complete: false,
    });

    // After the fix, at 06:30: a new period, without the error in it.
    expect((await w.restart({ note: "send retry deployed" })).status).toBe(200);
    const after = await w.report();
    expect(after).toMatchObject({ status: "IN_PROGRESS", productionReady: false, start: "2026-11-24T06:00:00.000Z" });
    expect(after.observation).toMatchObject({ since: "2026-11-24T06:00:00.000Z", why: "restarted by a person: send retry deployed" });
    expect(after.totals.errors).toBe(0);
    expect(await w.markdown()).toContain("restarted by a person: send retry deployed");
    // Its 24 hours of healthy traffic later: STABLE.
    await traffic(w, day + 30 * H, day + 54 * H + 10 * M);
    w.deps.testClock.set(day + 54 * H + 10 * M);
    expect(await w.report()).toMatchObject({ status: "STABLE", productionReady: true });
  });

  it("a silence longer than ZERO_DELIVERY_MINUTES ends the period: the next delivery starts a new one", async () => {
    const w = await world({ ZERO_DELIVERY_MINUTES: "90" });
    await traffic(w, day, day + 20 * H);
    // 79 minutes without deliveries (19:41–21:00): within the limit, the same period goes on.
    await traffic(w, day + 21 * H, day + 25 * H);
    w.deps.testClock.set(day + 25 * H);
    expect(await w.report()).toMatchObject({ status: "STABLE", observation: { since: "2026-11-23T00:00:00.000Z" } });
    // 3 hours without: a new period, from the first delivery after it.
    await traffic(w, day + 28 * H, day + 30 * H);
    w.deps.testClock.set(day + 30 * H);
    const r = await w.report();
    expect(r).toMatchObject({ status: "IN_PROGRESS", start: "2026-11-24T04:00:00.000Z" });
    expect(r.observation).toMatchObject({ since: "2026-11-24T04:00:00.000Z", why: "deliveries resumed after 199 minutes without any" });
  });

  it("keeps a period per source: restarting one, or one's critical issue, leaves the others", async () => {
    const w = await world();
    await traffic(w, day, day + 2 * H, 20 * M, "bot-a");
    await traffic(w, day + H, day + 2 * H, 20 * M, "bot-b");
    await traffic(w, day, day + 2 * H, 20 * M, "bot-c");
    await storeEvent(w.deps, day + 90 * M, { type: "error", error: { type: "llm_timeout" } }, "bot-c");
    w.deps.testClock.set(day + 2 * H);
    expect((await w.restart({ source: "bot-a", note: "" })).status).toBe(200);
    const r = await w.report();
    const bySource = Object.fromEntries(r.observation.sources.map((s: { source: string }) => [s.source, s]));
    expect(bySource["bot-a"]).toMatchObject({ since: "2026-11-23T02:00:00.000Z", why: "restarted by a person" });
    expect(bySource["bot-b"]).toMatchObject({ since: "2026-11-23T01:00:00.000Z", why: "deliveries began" });
    expect(bySource["bot-c"]).toMatchObject({
      since: "2026-11-23T01:30:00.000Z",
      why: "restarted by a critical issue (processing_errors)",
    });
    // Every source's critical issue is also the whole bot's.
    expect(r.observation).toMatchObject({ since: "2026-11-23T01:30:00.000Z", why: "restarted by a critical issue (processing_errors)" });
    const page = await (
      await w.app.request("/status", { headers: { authorization: `Basic ${btoa(`u:${apiAuth.authorization.slice(7)}`)}` } })
    ).text();
    expect(page).toContain(
      "bot-a: 0 h (restarted by a person) · bot-b: 1 h (deliveries began) · bot-c: 0 h (restarted by a critical issue (processing_errors))",
    );
  });

  it("refuses a restart with control characters in its note", async () => {
    const w = await world();
    expect((await w.restart({ note: "fixed\u001b[2J" })).status).toBe(400);
  });
});
