import { afterEach, describe, expect, it } from "vitest";
import { scoreId } from "../../src/monitoring/scores.js";
import { HOBBY_LIMITS, type FakeObservation } from "../../fakes/langfuse-server.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import { monitoringWorld, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";
import { fixtureJudge } from "../../fixtures/judge.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MIN = 60_000;
const HOUR = 60 * MIN;
const SYSTEM_PROMPT = "You are the booking assistant of Bright Smile Dental.";
const state = async (world: MonitoringWorld, key: string) =>
  (await world.t.db.execute({ sql: "SELECT value FROM monitor_state WHERE key = ?", args: [key] })).rows[0]?.value;
const count = async (world: MonitoringWorld, sql: string) => Number((await world.t.db.execute(sql)).rows[0]!.n);

describe("v2 observations carry I/O as raw JSON strings", () => {
  it("parses them: the caller's last message only (no system prompt, no history), tool calls extracted, no caller turn → skipped", async () => {
    w = await monitoringWorld();
    const f = FIXTURES.find((x) => x.id === "book-ok-1")!;
    const start = w.clock.now();
    w.langfuse.add(...fixtureObservations(f, start));
    // A generation that only called a tool: its output is an assistant message with tool_calls.
    w.langfuse.add({
      id: "tc-1",
      traceId: "sess-book-ok-1-t9",
      sessionId: "sess-book-ok-1",
      traceName: "bot-turn",
      tags: [],
      name: "reply",
      type: "GENERATION",
      startTime: start + 60_000,
      level: "DEFAULT",
      statusMessage: null,
      input: [
        { role: "system", content: SYSTEM_PROMPT },
        { role: "user", content: "10:30 please." },
      ],
      output: {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "send_reminder", arguments: '{"when":"monday"}' } }],
      },
    });
    // A session whose only generation had no caller message.
    w.langfuse.add({
      id: "sys-only",
      traceId: "t-sys",
      sessionId: "sess-sys",
      traceName: "bot-turn",
      tags: [],
      name: "greeting",
      type: "GENERATION",
      startTime: start,
      level: "DEFAULT",
      statusMessage: null,
      input: [{ role: "system", content: SYSTEM_PROMPT }],
      output: { role: "assistant", content: "Hello, how can I help?" },
    });
    w.clock.advance(20 * MIN);
    await w.cycle();

    const v2Reads = w.langfuse.requests.filter((r) => r.path === "/api/public/v2/observations");
    expect(v2Reads.length).toBeGreaterThan(0);
    expect(v2Reads.every((r) => r.query.parseIoAsJson === undefined)).toBe(true);
    const userMessages = w.openai.calls.map((c) => c.user);
    expect(userMessages.length).toBeGreaterThan(0);
    for (const u of userMessages) expect(u).not.toContain(SYSTEM_PROMPT);
    const fulfillment = w.openai.calls.find((c) => c.task === "fulfillment" && c.user.includes("BK-4411"))!;
    expect(fulfillment.user).toContain(JSON.stringify({ role: "caller", text: "10:30 please." }));
    expect(fulfillment.user).toContain("call send_reminder(");
    const rows = await verdicts(w);
    expect(rows.find((r) => r.session_id === "sess-sys")).toMatchObject({ verification_status: "skipped", error: "no caller turns" });
  });
});

describe("catch-up under Langfuse Cloud Hobby's 30 requests a minute", () => {
  it("a 45k-observation backlog (24 h lookback) is imported whole in a bounded number of cycles, without a 429", async () => {
    // Sessions stay open (idle limit of a week): this measures the import, not the judging.
    w = await monitoringWorld({ limits: HOBBY_LIMITS, env: { SESSION_IDLE_MINUTES: "10080" } });
    const end = w.clock.now();
    const start = end - 24 * HOUR;
    const perSession = 100;
    const sessions = 450;
    const observations: FakeObservation[] = [];
    for (let i = 0; i < sessions * perSession; i++) {
      const session = i % sessions;
      const t = start + Math.floor((i * 24 * HOUR) / (sessions * perSession));
      observations.push({
        id: `o-${i}`,
        traceId: `t-${session}-${Math.floor(i / sessions)}`,
        sessionId: `s-${session}`,
        traceName: "bot-turn",
        tags: [],
        name: "step",
        type: "SPAN",
        startTime: t,
        level: "DEFAULT",
        statusMessage: null,
        input: { step: i },
        output: null,
      });
    }
    w.langfuse.add(...observations);

    const summaries = [];
    for (let cycle = 0; cycle < 6; cycle++) {
      const s = await w.cycle();
      summaries.push(s.langfuse as { caughtUp: boolean; requests: number; slices: number });
      if ((s.langfuse as { caughtUp: boolean }).caughtUp) break;
      w.clock.advance(5 * MIN);
    }
    expect(summaries.at(-1)!.caughtUp, JSON.stringify(summaries)).toBe(true);
    expect(summaries.length, JSON.stringify(summaries)).toBeLessThanOrEqual(4);
    expect(summaries.every((s) => s.requests <= 30)).toBe(true);
    expect(w.langfuse.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(await count(w, "SELECT COUNT(*) AS n FROM monitored_observations")).toBe(45_000);
    expect(Number(await state(w, "watermark"))).toBe(w.clock.now());
  }, 90_000); // seconds on an idle machine; the margin is for a shared one

  it("a falling-behind import is visible in the run summary and raises monitoring_lag", async () => {
    w = await monitoringWorld({
      limits: { "public-api": 30 },
      script: () => ({ json: { intent: "unknown", confidence: 0.2, summary: "-" } }),
      env: { LANGFUSE_REQUESTS_PER_MINUTE: "5" },
    });
    const start = w.clock.now() - 24 * HOUR;
    const obs: FakeObservation[] = [];
    for (let i = 0; i < 20_000; i++)
      obs.push({
        id: `o-${i}`,
        traceId: `t-${i % 300}`,
        sessionId: `s-${i % 300}`,
        traceName: "bot-turn",
        tags: [],
        name: "step",
        type: "SPAN",
        startTime: start + Math.floor((i * 24 * HOUR) / 20_000),
        level: "DEFAULT",
        statusMessage: null,
        input: null,
        output: null,
      });
    w.langfuse.add(...obs);
    const s = await w.cycle();
    expect(s.langfuse).toMatchObject({ caughtUp: false, lagMs: expect.any(Number) });
    expect((s.langfuse as { lagMs: number }).lagMs).toBeGreaterThan(60 * MIN);
    const { SIGNAL_FNS } = await import("../../src/alerts/signals.js");
    const { DEFAULT_RULES } = await import("../../src/alerts/rules.js");
    const rule = DEFAULT_RULES.find((r) => r.signal === "monitoring_lag")!;
    const fired = await SIGNAL_FNS.monitoring_lag(w.deps, w.clock.now(), rule);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.summary).toMatch(/behind/);
  });
});

describe("score write-back", () => {
  it("goes out in ingestion batches with the deterministic ids; a score Langfuse fails to take (5xx in the 207) is sent alone next cycle", async () => {
    w = await monitoringWorld({ limits: HOBBY_LIMITS });
    FIXTURES.forEach((f, i) => w!.langfuse.add(...fixtureObservations(f, w!.clock.now() + i * 1000)));
    const failedId = scoreId("sess-book-ok-1", "vigil_intent");
    w.langfuse.refuseScore = (body) => (body.id === failedId ? { status: 500, message: "Internal Server Error" } : undefined);
    w.clock.advance(20 * MIN);
    const first = await w.cycle();
    expect(w.langfuse.requests.filter((r) => r.path === "/api/public/scores")).toEqual([]);
    const batches = w.langfuse.requests.filter((r) => r.path === "/api/public/ingestion");
    // ~8 scores per verdict, up to 200 events per batch: a couple of requests for 30 verdicts.
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.length).toBeLessThanOrEqual(2);
    // scoresWritten counts what Langfuse accepted, every one of them.
    expect(first.scoresWritten).toBe(w.langfuse.scores.size);
    expect(first).toMatchObject({ scoresPending: 1 });
    expect(first.scoresRefused).toBeUndefined();
    expect(w.langfuse.scores.get(scoreId("sess-book-ok-1", "vigil_fulfillment"))).toMatchObject({
      value: "pass",
      sessionId: "sess-book-ok-1",
    });
    expect(w.langfuse.scores.has(failedId)).toBe(false);
    const pending = await w.t.db.execute(
      "SELECT session_id FROM monitoring_results WHERE scores_written_at IS NULL AND verification_status != 'error'",
    );
    expect(pending.rows.map((r) => r.session_id)).toEqual(["sess-book-ok-1"]);

    w.langfuse.refuseScore = undefined;
    w.clock.advance(5 * MIN);
    const second = await w.cycle();
    expect(w.langfuse.scores.get(failedId)).toMatchObject({ value: "book" });
    // Only the unscored verdict's scores were sent again.
    expect(second.scoresWritten).toBeLessThanOrEqual(8);
    expect(second.scoresWritten).toBeGreaterThan(0);
  });

  it.each([404, 410] as const)(
    "a server whose ingestion route answers %i gets one POST /api/public/scores per score, same ids",
    async (status) => {
      w = await monitoringWorld();
      w.langfuse.noIngestion = status;
      w.langfuse.add(...fixtureObservations(FIXTURES[0]!, w.clock.now()));
      w.clock.advance(20 * MIN);
      const s = await w.cycle();
      const posts = w.langfuse.requests.filter((r) => r.path === "/api/public/scores");
      expect(posts.length).toBe(s.scoresWritten);
      expect(w.langfuse.scores.get(scoreId("sess-book-ok-1", "vigil_fulfillment"))).toMatchObject({ value: "pass", source: "API" });
      expect((await w.t.db.execute("SELECT COUNT(*) AS n FROM monitoring_results WHERE scores_written_at IS NULL")).rows[0]!.n).toBe(0);
    },
  );
});

describe("API detection is re-checked", () => {
  it("a remembered v1 is probed again daily, and a v1 404 (upgrade to v4) switches to v2 at once", async () => {
    w = await monitoringWorld({ version: "v3" });
    w.langfuse.add(...fixtureObservations(FIXTURES[0]!, w.clock.now()));
    w.clock.advance(20 * MIN);
    expect((await w.cycle()).langfuse).toMatchObject({ api: "v1" });
    const probes = () => w!.langfuse.requests.filter((r) => r.path === "/api/public/v2/observations").length;
    const afterFirst = probes();
    w.clock.advance(5 * MIN);
    await w.cycle();
    expect(probes()).toBe(afterFirst); // v1 remembered: no probe every cycle
    w.clock.advance(24 * HOUR);
    await w.cycle();
    expect(probes()).toBe(afterFirst + 1); // the daily probe

    w.langfuse.version = "v4"; // the self-hosted server was upgraded: v1 routes answer 404
    w.langfuse.add(...fixtureObservations(FIXTURES[1]!, w.clock.now()));
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    expect(s.langfuse).toMatchObject({ api: "v2" });
    expect(await state(w, "langfuse_api")).toBe("v2");
    expect((await verdicts(w)).map((r) => r.session_id)).toContain("sess-book-ok-2");
  });
});

describe("Langfuse v1 reads", () => {
  it("lists traces with fields=core and keeps the session of an observation whose trace started hours before", async () => {
    w = await monitoringWorld({ version: "v3" });
    const now = w.clock.now();
    // A long conversation: its trace started 5 h ago, its newest turn a few minutes ago.
    const obs = fixtureObservations(FIXTURES[0]!, now).map((o) => ({ ...o, traceId: "long-trace", traceStart: now - 5 * HOUR }));
    w.langfuse.add(...obs);
    w.clock.advance(20 * MIN);
    await w.cycle(); // first cycle: 24 h lookback covers the trace
    w.langfuse.add({ ...obs.at(-1)!, id: "late-turn", startTime: w.clock.now() - MIN });
    // Served after its range was first read: the second read, once Langfuse's lag has passed, takes it.
    for (let i = 0; i < 2; i++) {
      w.clock.advance(10 * MIN);
      await w.cycle();
    }
    const traceLists = w.langfuse.requests.filter((r) => r.path === "/api/public/traces");
    expect(traceLists.length).toBeGreaterThan(0);
    expect(traceLists.every((r) => r.query.fields === "core")).toBe(true);
    const late = await w.t.db.execute("SELECT session_key FROM monitored_observations WHERE id = 'late-turn'");
    expect(late.rows[0]?.session_key).toBe("sess-book-ok-1");
  });
});

describe("one poisoned observation", () => {
  it.each(["v4", "v3"] as const)(
    "I/O nested 6,000 levels deep (%s) is replaced with a logged reason; the import and the rest go on",
    async (version) => {
      w = await monitoringWorld({ version, script: fixtureJudge() });
      const start = w.clock.now();
      w.langfuse.add(...fixtureObservations(FIXTURES[0]!, start));
      w.langfuse.add({
        id: "poison",
        traceId: "t-poison",
        sessionId: "sess-poison",
        traceName: "bot-turn",
        tags: [],
        name: "reply",
        type: "GENERATION",
        startTime: start + 500,
        level: "DEFAULT",
        statusMessage: null,
        input: null,
        rawInput: `${"[".repeat(6000)}1${"]".repeat(6000)}`,
        output: { role: "assistant", content: "hi" },
      });
      w.clock.advance(20 * MIN);
      const s = await w.cycle();
      expect(s.langfuse).toMatchObject({ caughtUp: true, bounded: 1 });
      expect((s.langfuse as { error?: string }).error).toBeUndefined();
      expect(Number(await state(w, "watermark"))).toBe(w.clock.now());
      expect(w.logs.records().find((r) => r.msg === "observation i/o bounded")).toMatchObject({
        observation_id: "poison",
        reason: expect.stringMatching(/levels deep/),
      });
      expect((await verdicts(w)).find((r) => r.session_id === "sess-book-ok-1")).toMatchObject({ verification_status: "pass" });
    },
  );
});
