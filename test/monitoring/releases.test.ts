import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import { API_KEY, apiAuth } from "../helpers/deps.js";
import { monitoringWorld, type MonitoringWorld } from "../helpers/monitoring.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MIN = 60_000;
const [OLD, NEW] = [FIXTURES.slice(0, 15), FIXTURES.slice(15)];
const judged = (fs: typeof FIXTURES) => {
  const n = (v: string) => fs.filter((f) => f.verdict === v).length;
  return { pass: n("pass"), fail: n("fail"), all: n("pass") + n("fail") + n("partial") };
};
const priced = (obs: ReturnType<typeof fixtureObservations>, total: number) => {
  const first = obs.findIndex((o) => o.type === "GENERATION");
  return obs.map((o, i) => (i === first ? { ...o, costDetails: { total } } : o));
};
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}% (of ${b})`;

describe.each(["v4", "v3"] as const)("conversations of two releases read from a Langfuse %s server", (version) => {
  it("keep each trace's release, version and prompt on the verdict, and the report compares the current release with the previous, outcomes and cost per conversation", async () => {
    w = await monitoringWorld({ version });
    const start = w.clock.now();
    // The previous release: its traces carry a release and a version; no prompt is linked. Each
    // conversation's first generation cost $0.01 (Langfuse's costDetails), the current release's $0.02.
    OLD.forEach((f, i) =>
      w!.langfuse.add(
        ...priced(fixtureObservations(f, start + i * 1000), 0.01).map((o) => ({ ...o, release: "2026.11.1", version: "v-old" })),
      ),
    );
    w.clock.advance(20 * MIN);
    await w.cycle();
    // The current release, 20 minutes later: its generations were made from a managed prompt.
    const later = w.clock.now();
    NEW.forEach((f, i) =>
      w!.langfuse.add(
        ...priced(fixtureObservations(f, later + i * 1000), 0.02).map((o) => ({
          ...o,
          release: "2026.12.0",
          ...(o.type === "GENERATION" ? { promptName: "booking-system", promptVersion: 7 } : {}),
        })),
      ),
    );
    w.clock.advance(20 * MIN);
    await w.cycle();

    const stored = await w.t.db.execute(
      "SELECT session_id, release, release_version, prompt FROM monitoring_results WHERE session_id IN ('sess-book-ok-1', ?)",
      [`sess-${NEW[0]!.id}`],
    );
    expect(stored.rows.map((r) => ({ ...r }))).toEqual(
      expect.arrayContaining([
        { session_id: "sess-book-ok-1", release: "2026.11.1", release_version: "v-old", prompt: null },
        { session_id: `sess-${NEW[0]!.id}`, release: "2026.12.0", release_version: null, prompt: "booking-system v7" },
      ]),
    );

    const app = createApp(w.deps);
    const r = await (await app.request("/api/stability/report?hours=24", { headers: apiAuth })).json();
    const [o, n] = [judged(OLD), judged(NEW)];
    expect(r.releases.current).toMatchObject({
      release: "2026.12.0",
      conversations: n.all,
      versions: [],
      prompts: ["booking-system v7"],
      fulfillmentRate: n.pass / n.all,
      failureRate: n.fail / n.all,
      costPerConversationUsd: expect.closeTo(0.02, 9),
      deliveries: 0,
      errorRate: null,
      p95Ms: null,
    });
    expect(r.releases.previous).toMatchObject({
      release: "2026.11.1",
      conversations: o.all,
      fulfillmentRate: o.pass / o.all,
      costPerConversationUsd: expect.closeTo(0.01, 9),
      versions: ["v-old"],
      prompts: [],
    });
    // 30 conversations are below the default minimum sample: nothing is tested, so nothing alarms.
    expect(r.releases.comparisons).toEqual([]);

    const md = await (await app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth })).text();
    expect(md).toContain("| Metric | Current: 2026.12.0 | Previous: 2026.11.1 |");
    expect(md).toContain(`| Fulfillment rate | ${pct(n.pass, n.all)} | ${pct(o.pass, o.all)} |`);
    expect(md).toContain("| Error rate | not measured | not measured |");
    expect(md).toContain("| Cost per conversation | $0.0200 | $0.0100 |");
    // Per fulfilled: what the release's measured conversations cost, over those it fulfilled.
    expect(r.releases.current.costPerFulfilledUsd).toBeCloseTo(0.02 * (n.all / n.pass), 9);
    expect(md).toContain("| Langfuse version / prompt | booking-system v7 | v-old |");
    const html = await (
      await app.request("/status", { headers: { authorization: `Basic ${Buffer.from(`me:${API_KEY}`).toString("base64")}` } })
    ).text();
    expect(html).toContain("<th>Current: 2026.12.0</th>");
    expect(html).toContain(`<td>${pct(n.fail, n.all)}</td>`);
  });
});
