import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, testDeps, testEnv } from "../helpers/deps.js";
import { H, M, sendAt } from "../helpers/stability.js";
import { signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

const day = Date.parse("2026-11-23T00:00:00Z");
const HOSTILE = '<script>alert("r")</script>|**2.0**';

/**
 * 12 hours of release 1.4.0 (replies in 800 ms, 1 error in 100 messages), then 12 hours of the
 * next release (replies in 3.5 s, 12 errors in 100): every message names its release.
 */
async function twoReleases(next: string | null) {
  const t = await createTestDb();
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  const app = createApp(deps);
  let n = 0;
  for (const [release, from, latency, errorsPer100] of [
    ["1.4.0", day, 800, 1],
    [next, day + 12 * H, 3500, 12],
  ] as const) {
    for (let i = 0; i < 100; i++) {
      const at = from + i * 7 * M;
      const tag = release === null ? {} : { release };
      await sendAt(app, deps.testClock, at, { type: "message.received", ...tag });
      await sendAt(app, deps.testClock, at + 1000, { type: "response.sent", latency_ms: latency, ...tag });
      if (i < errorsPer100) await sendAt(app, deps.testClock, at + 2000, { type: "error", error: { type: `e${n++}` }, ...tag });
    }
  }
  deps.testClock.set(day + 24 * H);
  return { t, deps, app };
}

// The status page takes the API key as the HTTP Basic password.
const pageAuth = { authorization: `Basic ${Buffer.from(`me:${API_KEY}`).toString("base64")}` };
const report = async (app: ReturnType<typeof createApp>) => {
  const res = await app.request("/api/stability/report?hours=24", { headers: apiAuth });
  expect(res.status).toBe(200);
  return res.json();
};

describe("webhook events grouped by the release they name", () => {
  let ctx: Awaited<ReturnType<typeof twoReleases>>;
  beforeAll(async () => (ctx = await twoReleases("1.5.0")));
  afterAll(() => ctx.t.cleanup());

  it("the report sets the current release beside the previous one, with sample sizes, and tests the worsening", async () => {
    const r = await report(ctx.app);
    expect(r.releases.current).toMatchObject({ release: "1.5.0", deliveries: 100, errorRate: 0.12, replies: 100, conversations: 0 });
    expect(r.releases.previous).toMatchObject({ release: "1.4.0", deliveries: 100, errorRate: 0.01, replies: 100 });
    expect(r.releases.current.p95Ms).toBeGreaterThan(3000);
    expect(r.releases.previous.p95Ms).toBeLessThanOrEqual(1000);
    // No verdict named either release: the conversation rates are not measured, never a pass.
    expect(r.releases.current.fulfillmentRate).toBeNull();
    const tested = Object.fromEntries(r.releases.comparisons.map((c: { metric: string; regression: boolean }) => [c.metric, c.regression]));
    expect(tested).toEqual({ "error rate": true, "response time": true });
    // Each worsening is a regression red flag of the report, naming both releases.
    const flags = r.redFlags.filter((f: { kind: string }) => f.kind === "regression").map((f: { message: string }) => f.message);
    expect(flags).toEqual([
      expect.stringMatching(/^regression: error rate \(release 1\.5\.0 vs 1\.4\.0\): now 12\.0% .* vs 1\.0% .*, p = /),
      expect.stringMatching(/^regression: response time \(release 1\.5\.0 vs 1\.4\.0\): now .*, p = /),
    ]);
  });

  it("the Markdown report (what the CLI prints) and the status page show both releases", async () => {
    const md = await (await ctx.app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth })).text();
    const section = md.slice(md.indexOf("## By Release"), md.indexOf("## Bot Response Quality Checks"));
    expect(section).toContain("| Metric | Current: 1.5.0 | Previous: 1.4.0 |");
    expect(section).toContain("| Error rate | 12.0% (of 100) | 1.0% (of 100) |");
    expect(section).toContain("| Fulfillment rate | not measured | not measured |");
    expect(section).toContain("| Langfuse version / prompt | not measured | not measured |");
    expect(section).toMatch(/- error rate: now 12\.0% \(12\/100\) vs 1\.0% \(1\/100\) .* — \*\*regression\*\*/);
    const html = await (await ctx.app.request("/status", { headers: pageAuth })).text();
    expect(html).toContain('<table id="releases">');
    expect(html).toContain("<th>Current: 1.5.0</th>");
    expect(html).toContain("<th>Previous: 1.4.0</th>");
    expect(html).toContain("<td>12.0% (of 100)</td>");
  });
});

describe("events without a release", () => {
  it("leave the comparison not measured: no numbers, no test, no pass", async () => {
    const { t, app } = await twoReleases(null);
    try {
      const r = await report(app);
      // Only the first half named a release: one release, nothing to compare it with.
      expect(r.releases).toMatchObject({ current: { release: "1.4.0" }, previous: null, comparisons: [] });
      const md = await (await app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth })).text();
      expect(md).toContain(
        "**Current vs previous release:** not measured: only release 1.4.0 in the period, no previous release to compare with.",
      );
      expect(md).toContain("| Error rate | 1.0% (of 100) | not measured |");
      await t.db.execute("UPDATE webhook_events SET release = NULL");
      await t.db.execute("DELETE FROM webhook_rollups WHERE metric LIKE 'release%'");
      await t.db.execute("DELETE FROM webhook_rollups_15m WHERE metric LIKE 'release%'");
      const none = await report(app);
      expect(none.releases).toEqual({ current: null, previous: null, comparisons: [] });
      const html = await (await app.request("/status", { headers: pageAuth })).text();
      expect(html).toContain(
        "Current vs previous release: not measured: no judged conversation or webhook event in the period named a release.",
      );
      expect(html).not.toContain('<table id="releases">');
    } finally {
      t.cleanup();
    }
  });
});

describe("a hostile release", () => {
  let t: TestDb;
  beforeAll(async () => (t = await createTestDb()));
  afterAll(() => t.cleanup());

  it("is refused when too long or holding control characters, and shown as text (escaped) otherwise", async () => {
    const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
    const app = createApp(deps);
    const at = day + H;
    deps.testClock.set(at);
    const send = (release: unknown, id: string, when = at) => {
      deps.testClock.set(when);
      return app.request(
        "/api/webhooks/bot",
        signedRequest(
          { type: "message.received", occurred_at: new Date(when).toISOString(), release },
          { id, timestampSeconds: Math.floor(when / 1000) },
        ),
      );
    };
    for (const [i, bad] of ["x".repeat(101), "1.0\n## STABLE", "1.0\u0000", "", 42].entries()) {
      const res = await send(bad, `bad-${i}`);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(JSON.stringify(await res.json())).toContain("release");
    }
    expect((await send("x".repeat(100), "longest")).status).toBe(200);
    // The previous release (first seen after the longest name), then the current one.
    expect((await send(HOSTILE, "html", at + H)).status).toBe(200);
    await sendAt(app, deps.testClock, at + 2 * H, { type: "message.received", release: "2.0.0" });
    deps.testClock.set(at + 3 * H);

    const html = await (await app.request("/status", { headers: pageAuth })).text();
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;alert(&quot;r&quot;)&lt;/script&gt;|**2.0**");
    const md = await (await app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth })).text();
    expect(md).not.toContain("<script>");
    expect(md).toContain('Previous: &lt;script&gt;alert("r")&lt;/script&gt;\\|\\*\\*2.0\\*\\*');
  });
});
