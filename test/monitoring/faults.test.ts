import { afterEach, describe, expect, it } from "vitest";
import { claimSession } from "../../src/monitoring/store/sessions.js";
import { runMonitorCycle } from "../../src/monitoring/cycle.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import type { ScriptedReply } from "../../fakes/openai-server.js";
import { monitoringWorld, SHORT_TIMEOUTS, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";
import { fixtureJudge } from "../../fixtures/judge.js";
import { sessionAdder } from "./factories.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MIN = 60_000;
const addSessions = sessionAdder(FIXTURES.filter((f) => f.session !== false));
const perSession = async (world: MonitoringWorld) => {
  const rows = await verdicts(world);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.session_id, (counts.get(r.session_id) ?? 0) + 1);
  return counts;
};

describe("exactly once", () => {
  it("two cycles started at once analyse every session once", async () => {
    w = await monitoringWorld({ latencyMs: 20 });
    addSessions(w, 40, w.clock.now());
    w.clock.advance(20 * MIN);
    // Bypasses the job lease on purpose: the session claims alone must prevent double work.
    const [a, b] = await Promise.all([runMonitorCycle(w.deps, w.clock.now()), runMonitorCycle(w.deps, w.clock.now())]);
    expect((a.sessionsChecked as number) + (b.sessionsChecked as number)).toBe(40);
    const counts = await perSession(w);
    expect(counts.size).toBe(40);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(w.openai.calls.filter((c) => c.task === "intent")).toHaveLength(40);
  });

  it("a cycle killed mid-way: its claims wait out their lease, then each session is analysed once", async () => {
    w = await monitoringWorld();
    addSessions(w, 10, w.clock.now());
    w.clock.advance(20 * MIN);
    await runMonitorCycle(w.deps, w.clock.now()); // imports and analyses all 10
    // New sessions, claimed by a cycle that then dies (its process state is gone; the claims stay).
    addSessions(w, 5, w.clock.now(), "dead");
    w.clock.advance(20 * MIN);
    await runMonitorCycle(
      { ...w.deps, settings: { ...w.deps.settings, monitor: { ...w.deps.settings.monitor, concurrency: 0 } } },
      w.clock.now(),
    ); // import only
    for (let i = 0; i < 5; i++) expect(await claimSession(w.t.db, `dead-${i}`, "crashed-cycle", w.clock.now(), 300_000)).toBeDefined();
    w.clock.advance(60_000);
    expect((await w.cycle()).sessionsChecked).toBe(0);
    w.clock.advance(5 * MIN);
    expect((await w.cycle()).sessionsChecked).toBe(5);
    const counts = await perSession(w);
    expect([...counts.entries()].filter(([k]) => k.startsWith("dead-")).map(([, n]) => n)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe("attempt caps hold across claim takeovers", () => {
  it("a session whose analysis kills its invocation every time ends as error after MONITOR_MAX_ATTEMPTS; the queue behind it moves", async () => {
    w = await monitoringWorld({ env: { MONITOR_MAX_ATTEMPTS: "3", ...SHORT_TIMEOUTS } });
    addSessions(w, 1, w.clock.now(), "deadly");
    addSessions(w, 2, w.clock.now() + 60_000, "behind");
    w.clock.advance(20 * MIN);
    await runMonitorCycle(
      { ...w.deps, settings: { ...w.deps.settings, monitor: { ...w.deps.settings.monitor, concurrency: 0 } } },
      w.clock.now(),
    ); // import only
    // Three invocations claim it and die (out of memory) before storing anything.
    for (let i = 0; i < 3; i++) {
      expect(await claimSession(w.t.db, "deadly-0", `died-${i}`, w.clock.now(), 300_000)).toMatchObject({ attempts: i + 1 });
      w.clock.advance(301_000);
    }
    const s = await w.cycle();
    expect(s).toMatchObject({ errors: 1, passed: 2 });
    const deadly = (await verdicts(w)).filter((r) => r.session_id === "deadly-0");
    expect(deadly).toEqual([
      expect.objectContaining({ verification_status: "error", error: expect.stringMatching(/gave up after 3 attempts/) }),
    ]);
    expect((await w.t.db.execute("SELECT state FROM monitor_sessions WHERE session_key = 'deadly-0'")).rows[0]!.state).toBe("error");
    // No model call was spent on it again.
    expect(w.openai.calls.filter((c) => c.task === "intent")).toHaveLength(2);
  });
});

describe("Langfuse faults", () => {
  it("a 2-hour outage loses nothing: every session of the outage is analysed once after it", async () => {
    w = await monitoringWorld();
    addSessions(w, 3, w.clock.now(), "before");
    w.clock.advance(10 * MIN);
    await w.cycle();
    w.langfuse.down = true;
    const outageStart = w.clock.now();
    for (let m = 5; m <= 120; m += 5) {
      if (m % 20 === 0) addSessions(w, 2, outageStart + m * MIN - 4 * MIN, `during-${m}`);
      w.clock.set(outageStart + m * MIN);
      const s = await w.cycle();
      expect((s.langfuse as { error?: string }).error).toMatch(/HTTP 503/);
    }
    w.langfuse.down = false;
    // The newest sessions are judged once Langfuse's read lag (15 min) has passed them.
    for (let m = 0; m < 20; m += 5) {
      w.clock.advance(5 * MIN);
      await w.cycle();
    }
    const counts = await perSession(w);
    const during = [...counts.keys()].filter((k) => k.startsWith("during-"));
    expect(during).toHaveLength(12);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it("honours a 429; a 500 or a timeout is asked again smaller at once; an outage is retried next cycle from the same position", async () => {
    w = await monitoringWorld({ env: SHORT_TIMEOUTS });
    addSessions(w, 4, w.clock.now());
    w.clock.advance(20 * MIN);
    w.langfuse.faults.push({ status: 429, headers: { "retry-after": "30" } });
    expect((await w.cycle()).langfuse).toMatchObject({ error: expect.stringContaining("429") });
    // Retry-After 30 s has passed by the next cycle. A long one is waited out across cycles.
    w.langfuse.faults.push({ status: 429, headers: { "retry-after": "600" } });
    w.clock.advance(5 * MIN);
    expect((await w.cycle()).langfuse).toMatchObject({ error: expect.stringContaining("429") });
    const reads = w.langfuse.requests.length;
    w.clock.advance(5 * MIN);
    expect((await w.cycle()).langfuse).toMatchObject({ error: expect.stringContaining("Retry-After") });
    expect(w.langfuse.requests.length).toBe(reads);
    // A 500 or a timeout may be load: the page is asked again smaller at once, and the cycle goes on.
    w.langfuse.faults.push({ status: 500 });
    w.clock.advance(6 * MIN);
    const after500 = (await w.cycle()).langfuse as Record<string, unknown>;
    expect(after500).toMatchObject({ narrowed: 1, caughtUp: true });
    expect(after500.error).toBeUndefined();
    w.langfuse.faults.push({ status: 200, delayMs: 2500 }); // past the 2 s timeout
    w.clock.advance(5 * MIN);
    expect((await w.cycle()).langfuse).toMatchObject({ narrowed: 1, caughtUp: true });
    // Three failures in a row are not load but an outage: the cycle stops and the next one goes on.
    w.langfuse.faults.push({ status: 500 }, { status: 502 }, { status: 503 }, { status: 504 });
    w.clock.advance(5 * MIN);
    expect((await w.cycle()).langfuse).toMatchObject({ narrowed: 3, error: expect.stringContaining("504") });
    w.clock.advance(5 * MIN);
    expect((await w.cycle()).langfuse).toMatchObject({ caughtUp: true });
    expect([...(await perSession(w)).values()]).toEqual([1, 1, 1, 1]);
  });

  it("restarts a window whose pagination cursor expired, without duplicates", async () => {
    w = await monitoringWorld();
    addSessions(w, 250, w.clock.now()); // > 1000 observations: several pages
    w.clock.advance(40 * MIN);
    let pages = 0;
    const original = w.langfuse.requests.push.bind(w.langfuse.requests);
    w.langfuse.requests.push = (...items) => {
      if (items[0]?.path === "/api/public/v2/observations" && ++pages === 2) w!.langfuse.expireCursors();
      return original(...items);
    };
    const s = await w.cycle();
    expect(s.sessionsChecked).toBe(250);
    expect([...(await perSession(w)).values()].every((n) => n === 1)).toBe(true);
  });
});

describe("model faults", () => {
  function flaky(kind: (attempt: number) => ScriptedReply | undefined) {
    const seen = new Map<string, number>();
    const base = fixtureJudge();
    return (task: string, user: string): ScriptedReply => {
      const key = `${task}:${user.slice(0, 80)}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      return (task === "intent" ? kind(n) : undefined) ?? base(task, user);
    };
  }

  it.each([
    ["429 with Retry-After", { status: 429, headers: { "retry-after": "1" } }],
    ["429 without Retry-After", { status: 429 }],
    ["500", { status: 500 }],
    ["a hang past the timeout", { hangMs: 2500 }],
  ] as [string, ScriptedReply][])("%s: retried on later cycles, then recorded as an error with the reason", async (_name, fault) => {
    w = await monitoringWorld({ script: flaky(() => fault), env: { MONITOR_MAX_ATTEMPTS: "3", ...SHORT_TIMEOUTS } });
    addSessions(w, 1, w.clock.now());
    w.clock.advance(20 * MIN);
    for (let i = 0; i < 3; i++) {
      await w.cycle();
      w.clock.advance(10 * MIN);
    }
    const rows = await verdicts(w);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ verification_status: "error", error: expect.stringMatching(/gave up after 3 attempts/) });
    // The fake answers 504 after its hang: only the reason shows the client's timeout cut it first.
    if ("hangMs" in fault) expect(rows[0]!.error).toMatch(/timed out/);
  });

  it("a transient failure that clears is retried and judged normally", async () => {
    w = await monitoringWorld({ script: flaky((n) => (n === 1 ? { status: 503 } : undefined)) });
    addSessions(w, 1, w.clock.now());
    w.clock.advance(20 * MIN);
    expect((await w.cycle()).retrying).toBe(1);
    w.clock.advance(5 * MIN);
    expect((await w.cycle()).sessionsChecked).toBe(1);
    expect((await verdicts(w))[0]).toMatchObject({ verification_status: "pass" });
  });

  it.each([
    ["malformed JSON", { raw: "{not json" }],
    ["schema-violating JSON", { json: { intent: "teleport", confidence: 7 } }],
  ] as [string, ScriptedReply][])("%s: asked once more, then an error at once", async (_name, bad) => {
    w = await monitoringWorld({ script: flaky(() => bad) });
    addSessions(w, 1, w.clock.now());
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    expect(s.errors).toBe(1);
    expect(w.openai.calls.filter((c) => c.task === "intent")).toHaveLength(2);
    expect((await verdicts(w))[0]).toMatchObject({
      verification_status: "error",
      error: expect.stringContaining("did not match the schema"),
    });
  });

  it("finishes inside its time budget when the model hangs", async () => {
    w = await monitoringWorld({
      live: true,
      script: () => ({ hangMs: 2500 }),
      env: { CRON_MAX_DURATION_SECONDS: "10", MONITOR_BUDGET_FRACTION: "0.5", MONITOR_CONCURRENCY: "2", ...SHORT_TIMEOUTS },
    });
    addSessions(w, 20, w.clock.now());
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    // Budget 5 s; a call already started may run to its 2 s timeout.
    expect(s.durationMs as number).toBeLessThan(8000);
    expect(s.backlog as number).toBeGreaterThan(0);
  });
});

describe("spend caps and sampling", () => {
  it("pauses at the token cap with a visible state, then works the queue oldest-first", async () => {
    w = await monitoringWorld({ env: { JUDGE_MAX_TOKENS_PER_CYCLE: "500", MONITOR_CONCURRENCY: "1" } });
    addSessions(w, 6, w.clock.now());
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    expect(s.paused, JSON.stringify(s)).toBe("judge budget: tokens per cycle");
    expect(s.backlog as number, JSON.stringify(s)).toBeGreaterThan(0);
    expect(w.logs.records().some((r) => r.msg === "judge budget exhausted: analysis paused")).toBe(true);
    const state = await w.t.db.execute("SELECT value FROM monitor_state WHERE key = 'judge_budget_exhausted_at'");
    expect(state.rows).toHaveLength(1);
    const firstBatch = (await verdicts(w)).map((r) => r.session_id);
    const byAge = (await w.t.db.execute("SELECT session_key FROM monitor_sessions ORDER BY last_activity")).rows.map((r) => r.session_key);
    expect(firstBatch.sort()).toEqual(byAge.slice(0, firstBatch.length).sort());
    for (let i = 0; i < 6; i++) {
      w.clock.advance(5 * MIN);
      await w.cycle();
    }
    expect((await perSession(w)).size).toBe(6);
  });

  it("MONITOR_MAX_SESSIONS_PER_CYCLE caps the sessions judged per cycle (seed 001: 10), even with 8 at once; the rest wait, no spend alert", async () => {
    w = await monitoringWorld({ env: { MONITOR_MAX_SESSIONS_PER_CYCLE: "10", MONITOR_CONCURRENCY: "8" } });
    addSessions(w, 25, w.clock.now());
    w.clock.advance(20 * MIN);
    const checked: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await w.cycle();
      checked.push(s.sessionsChecked as number);
      if (i === 0) expect(s).toMatchObject({ paused: "judge budget: sessions per cycle", backlog: 15 });
      w.clock.advance(5 * MIN);
    }
    expect(checked).toEqual([10, 10, 5]);
    expect((await perSession(w)).size).toBe(25);
    const alarm = await w.t.db.execute("SELECT value FROM monitor_state WHERE key = 'judge_budget_exhausted_at'");
    expect(alarm.rows).toEqual([]);
  });

  it("samples deterministically by session id", async () => {
    w = await monitoringWorld({ env: { MONITOR_SAMPLE_RATE: "0.5" } });
    addSessions(w, 40, w.clock.now());
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    expect(s.sessionsChecked as number).toBeGreaterThan(8);
    expect(s.sessionsChecked as number).toBeLessThan(32);
    const skipped = await w.t.db.execute("SELECT COUNT(*) AS n FROM monitor_sessions WHERE last_error = 'sampled out'");
    expect(Number(skipped.rows[0]!.n) + (s.sessionsChecked as number)).toBe(40);
  });
});
