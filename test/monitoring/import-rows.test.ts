import { afterEach, describe, expect, it } from "vitest";
import type { FakeObservation } from "../../fakes/langfuse-server.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import { monitoringWorld, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MIN = 60_000;
const rows = async (world: MonitoringWorld, sql: string) => (await world.t.db.execute(sql)).rows.map((r) => ({ ...r }));

const span = (id: string, at: number, extra: Partial<FakeObservation> = {}): FakeObservation => ({
  id,
  traceId: `t-${id}`,
  sessionId: "s-poison",
  traceName: "bot-turn",
  tags: [],
  name: "step",
  type: "SPAN",
  startTime: at,
  level: "DEFAULT",
  statusMessage: null,
  input: { id },
  output: null,
  ...extra,
});

describe("poison is skipped, not fatal", () => {
  it.each(["v4", "v3"] as const)(
    "%s: a page with a NaN startTime and an object sessionId among 10 valid observations imports the 10",
    async (version) => {
      w = await monitoringWorld({ version });
      const t0 = w.clock.now();
      const valid = Array.from({ length: 10 }, (_, i) => span(`ok-${i}`, t0 + i * 1000));
      w.langfuse.add(...valid, span("bad-time", t0 + 500, { served: { startTime: "NaN" } }));
      // v1 takes the session from the trace; v2 serves it on the observation.
      if (version === "v4") w.langfuse.add(span("bad-session", t0 + 700, { served: { sessionId: { nested: true } } }));
      w.langfuse.add(span("big-status", t0 + 900, { statusMessage: "e".repeat(5_000_000), level: "ERROR" }));
      // First read inside Langfuse's lag, so the range is read a second time later.
      w.clock.advance(5 * MIN);
      const s = await w.cycle();
      const poisoned = version === "v4" ? 2 : 1;
      expect(s.langfuse).toMatchObject({ caughtUp: true, poisoned });
      let readAgain = 0;
      for (let i = 0; i < 4; i++) {
        w.clock.advance(5 * MIN);
        readAgain += ((await w.cycle()).langfuse as { poisoned: number }).poisoned;
      }
      expect(readAgain, "the second read after Langfuse's lag sees them again").toBe(poisoned);
      expect((s.langfuse as { error?: string }).error).toBeUndefined();
      const stored = await rows(w, "SELECT id, length(data) AS size FROM monitored_observations ORDER BY id");
      expect(stored.map((r) => r.id)).toEqual(["big-status", ...valid.map((o) => o.id)]);
      // Every stored field is bounded: a 5 MB status message is kept as its first 2,000 characters.
      expect(Math.max(...stored.map((r) => Number(r.size)))).toBeLessThan(3_000);
      // Logged once each, although read twice.
      const skipped = w.logs.records().filter((r) => r.msg === "observation skipped: cannot be stored");
      expect(skipped.map((r) => [r.observation_id, r.reason]).sort()).toEqual(
        [
          ["bad-time", "startTime is not a date"],
          ...(version === "v4" ? [["bad-session", "sessionId is not a string of 1 to 512 characters"]] : []),
        ].sort(),
      );
    },
  );
});

describe("sessions as Langfuse defines them", () => {
  it('three session-less traces served with sessionId "" are judged each on its own, none lumped into ""', async () => {
    w = await monitoringWorld();
    const t0 = w.clock.now();
    const alone = FIXTURES.filter((f) => f.session === false).slice(0, 2);
    const third = FIXTURES.find((f) => f.session !== false)!;
    alone.forEach((f, i) => w!.langfuse.add(...fixtureObservations(f, t0 + i * 1000)));
    // A session fixture traced without one: one trace per exchange, so give it a single trace.
    w.langfuse.add(...fixtureObservations(third, t0 + 5000).map((o) => ({ ...o, sessionId: null, traceId: "lone-trace" })));
    w.clock.advance(20 * MIN);
    await w.cycle();
    expect(w.langfuse.requests.some((r) => r.path === "/api/public/v2/observations")).toBe(true);
    const judged = (await verdicts(w)).map((r) => r.session_id).sort();
    expect(judged).toEqual([...alone.map((f) => `trace:${f.id}-t0`), "trace:lone-trace"].sort());
    expect(await rows(w, "SELECT session_key FROM monitor_sessions WHERE session_key = ''")).toEqual([]);
    // Each score has exactly one non-empty target: the trace.
    const scores = [...w.langfuse.scores.values()];
    expect(scores.length).toBeGreaterThan(0);
    for (const sc of scores) {
      expect(sc.sessionId, JSON.stringify(sc)).toBeUndefined();
      expect(sc.traceId).toEqual(expect.any(String));
    }
  });

  it("an observation without a session takes its trace's session, in the same page or when the session shows up later", async () => {
    w = await monitoringWorld();
    const t0 = w.clock.now();
    const f = FIXTURES.find((x) => x.session !== false)!;
    // v4 sets the session per observation: one trace carries observations with and without it.
    const same = fixtureObservations(f, t0, { sessionId: "s-same" }).map((o, i) => ({
      ...o,
      traceId: "t-same",
      sessionId: i % 2 ? null : "s-same",
    }));
    // Here the observations without the session are served first, the one that names it 3 minutes later.
    const later = fixtureObservations(f, t0 + 2000, { sessionId: "s-later" }).map((o, i) => ({
      ...o,
      id: `later-${i}`,
      traceId: "t-later",
      sessionId: i === 0 ? "s-later" : null,
      visibleAt: i === 0 ? t0 + 8 * MIN : 0,
    }));
    w.langfuse.add(...same, ...later);
    w.clock.advance(5 * MIN);
    await w.cycle();
    expect(await rows(w, "SELECT session_key, observation_count AS n FROM monitor_sessions ORDER BY 1")).toEqual([
      { session_key: "s-same", n: same.length },
      { session_key: "trace:t-later", n: later.length - 1 },
    ]);
    for (let m = 10; m <= 30; m += 5) {
      w.clock.set(t0 + m * MIN);
      await w.cycle();
    }
    expect(await rows(w, "SELECT session_key, observation_count AS n FROM monitor_sessions ORDER BY 1")).toEqual([
      { session_key: "s-later", n: later.length },
      { session_key: "s-same", n: same.length },
    ]);
    expect((await verdicts(w)).map((r) => [r.session_id, r.verification_status]).sort()).toEqual([
      ["s-later", f.verdict],
      ["s-same", f.verdict],
    ]);
  });
});
