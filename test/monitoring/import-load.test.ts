import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";
import { SIGNAL_FNS } from "../../src/alerts/signals.js";
import { HOBBY_LIMITS, type FakeObservation } from "../../fakes/langfuse-server.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import { monitoringWorld, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MIN = 60_000;
const conversations = FIXTURES.filter((f) => f.session !== false);
const count = async (world: MonitoringWorld, sql: string) => Number((await world.t.db.execute(sql)).rows[0]!.n);

/** `n` span observations spread evenly over [start, start + spanMs), in sessions of 100. */
function burst(n: number, start: number, spanMs: number, io: unknown = { step: 1 }): FakeObservation[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `b-${i}`,
    traceId: `bt-${Math.floor(i / 100)}`,
    sessionId: `bs-${Math.floor(i / 100)}`,
    traceName: "bot-turn",
    tags: [],
    name: "step",
    type: "SPAN",
    startTime: start + Math.floor((i * spanMs) / n),
    level: "DEFAULT",
    statusMessage: null,
    input: io,
    output: null,
  }));
}

/** Cycles every 5 minutes until the conversations are judged; how many it took. */
async function cyclesUntilJudged(world: MonitoringWorld, sessions: string[], max: number) {
  for (let cycle = 1; cycle <= max; cycle++) {
    world.clock.advance(5 * MIN);
    await world.cycle();
    const judged = new Set((await verdicts(world)).map((r) => r.session_id));
    if (sessions.every((s) => judged.has(s))) return cycle;
  }
  return Infinity;
}

describe("an import that always moves", () => {
  it.each([
    // Langfuse Cloud Hobby: 30 requests a minute, v2 pages of 1,000. The old import froze on this.
    { version: "v4", burstSize: 30_000, limits: HOBBY_LIMITS, during: false },
    // The same, with a cycle in the middle of the burst: where the import used to freeze.
    { version: "v4", burstSize: 30_000, limits: HOBBY_LIMITS, during: true },
    // Self-hosted v3: v1 pages of 100 (the old import froze past ~2,700 in 16 minutes).
    { version: "v3", burstSize: 5_000, limits: undefined, during: false },
  ] as const)(
    "$version: a burst of $burstSize observations in 10 minutes (a cycle during it: $during), then three new conversations: all three judged within 5 cycles, nothing lost",
    async ({ version, burstSize, limits, during }) => {
      w = await monitoringWorld({ version, limits });
      const t0 = w.clock.now();
      await w.cycle();
      // The whole burst is there at the next read: more pages than a cycle may ask for.
      w.langfuse.add(...burst(burstSize, t0, 10 * MIN));
      if (during) {
        w.clock.advance(5 * MIN);
        await w.cycle();
        w.clock.advance(5 * MIN);
      } else w.clock.advance(10 * MIN);
      const fresh = [0, 1, 2].map((i) => `after-burst-${i}`);
      fresh.forEach((sessionId, i) => w!.langfuse.add(...fixtureObservations(conversations[i]!, w!.clock.now() + i * 1000, { sessionId })));
      const cycles = await cyclesUntilJudged(w, fresh, 8);
      console.log(
        `[figure] ${version}${during ? " (cycle during the burst)" : ""}: ${burstSize} in 10 min, 3 conversations after: judged in ${cycles} cycles`,
      );
      expect(cycles).toBeLessThanOrEqual(5);
      expect(await count(w, "SELECT COUNT(*) AS n FROM monitored_observations WHERE id LIKE 'b-%'")).toBe(burstSize);
      expect(w.langfuse.requests.filter((r) => r.status === 429)).toEqual([]);
      // Each range read twice (at once, and again after Langfuse's lag), never from a slice's start again.
      const pages = w.langfuse.requests.filter((r) => r.path.endsWith("/observations")).length;
      const burstPages = burstSize / (version === "v4" ? 1000 : 100);
      console.log(`[figure] ${version}: ${pages} observation pages for ${burstPages} pages of burst`);
      expect(pages).toBeLessThanOrEqual(2.5 * burstPages + 10);
      // Under the default budget: 30 Langfuse requests a cycle at most, score writes included.
      const perMinute = new Map<number, number>();
      for (const r of w.langfuse.requests) perMinute.set(r.minute, (perMinute.get(r.minute) ?? 0) + 1);
      expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(30);
    },
    120_000,
  );
});

describe("an import that narrows instead of stalling", () => {
  it("1,500 dense observations whose 1,000-row I/O page answers 422: half pages are asked for, the import completes in one cycle", async () => {
    w = await monitoringWorld({ limits: HOBBY_LIMITS });
    const t0 = w.clock.now();
    const text = "x".repeat(2_000);
    w.langfuse.add(...burst(1_500, t0, 2 * MIN, { text }));
    // ClickHouse gives up on the I/O of more than ~600 such rows at once.
    w.langfuse.maxPageIoChars = 600 * 2_020;
    w.langfuse.add(...fixtureObservations(FIXTURES[0]!, t0 + 3 * MIN));
    w.clock.advance(5 * MIN);
    const s = await w.cycle();
    const refused = w.langfuse.requests.filter((r) => r.status === 422);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.query.limit === "1000")).toBe(true);
    expect(s.langfuse).toMatchObject({ caughtUp: true, narrowed: refused.length });
    expect(await count(w, "SELECT COUNT(*) AS n FROM monitored_observations")).toBe(1_500 + fixtureObservations(FIXTURES[0]!, 0).length);
    const judged = await cyclesUntilJudged(w, ["sess-book-ok-1"], 5);
    console.log(
      `[figure] 422 on 1,000-row pages: ${refused.length} refused, import complete in 1 cycle, conversation judged ${judged} cycles later`,
    );
    expect((await verdicts(w)).find((r) => r.session_id === "sess-book-ok-1")).toMatchObject({ verification_status: "pass" });
  });

  it("a page Langfuse can never serve: the import narrows to its floors, reports the error, and monitoring_lag fires as the backlog grows", async () => {
    w = await monitoringWorld();
    const t0 = w.clock.now();
    w.langfuse.add(...burst(300, t0, 2 * MIN));
    w.langfuse.maxPageIoChars = 1;
    let last: Record<string, unknown> = {};
    for (let i = 0; i < 8; i++) {
      w.clock.advance(5 * MIN);
      last = (await w.cycle()).langfuse as Record<string, unknown>;
    }
    expect(last).toMatchObject({ caughtUp: false, error: expect.stringContaining("422") });
    const limits = w.langfuse.requests.filter((r) => r.path === "/api/public/v2/observations").map((r) => Number(r.query.limit));
    expect(Math.min(...limits)).toBe(50);
    const rule = DEFAULT_RULES.find((r) => r.signal === "monitoring_lag")!;
    const fired = await SIGNAL_FNS.monitoring_lag(w.deps, w.clock.now(), rule);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.summary).toMatch(/behind.*422/);
  });
});
