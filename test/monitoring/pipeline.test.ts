import { afterEach, describe, expect, it } from "vitest";
import { scoreId } from "../../src/monitoring/scores.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { firstCallerLine, fixtureObservations } from "../../fixtures/to-observations.js";
import { monitoringWorld, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";
import { fixtureJudge } from "../../fixtures/judge.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MIN = 60_000;
const sessionOf = (f: (typeof FIXTURES)[number]) => (f.session === false ? `trace:${f.id}-t0` : `sess-${f.id}`);

async function allFixtures(world: MonitoringWorld, at: number) {
  FIXTURES.forEach((f, i) => world.langfuse.add(...fixtureObservations(f, at + i * 1000)));
}

describe.each(["v4", "v3"] as const)("the monitor cycle on a Langfuse %s server", (version) => {
  it("judges every finished session exactly once with the fixture's verdict, writes scores, diagnoses 3 per cycle", async () => {
    w = await monitoringWorld({ version, latencyMs: 5 });
    const start = w.clock.now();
    await allFixtures(w, start);
    w.clock.advance(20 * MIN);
    const summary = await w.cycle();

    expect(summary).toMatchObject({ sessionsChecked: 30, errors: 0, diagnosed: 3, backlog: 0 });
    expect((summary.langfuse as { api: string }).api).toBe(version === "v4" ? "v2" : "v1");
    const rows = await verdicts(w);
    expect(rows).toHaveLength(30);
    for (const f of FIXTURES) {
      const row = rows.find((r) => r.session_id === sessionOf(f));
      expect(row, f.id).toBeDefined();
      expect([f.id, row!.verification_status, row!.intent_type]).toEqual([f.id, f.verdict, f.intent]);
    }
    expect(summary).toMatchObject({
      passed: FIXTURES.filter((f) => f.verdict === "pass").length,
      failed: FIXTURES.filter((f) => f.verdict === "fail").length,
      partial: FIXTURES.filter((f) => f.verdict === "partial").length,
      skipped: FIXTURES.filter((f) => f.verdict === "skipped").length,
    });

    // Scores reached Langfuse, on the session (or the trace of a session-less conversation).
    const bookOk = w.langfuse.scores.get(scoreId("sess-book-ok-1", "vigil_fulfillment"));
    expect(bookOk).toMatchObject({ sessionId: "sess-book-ok-1", name: "vigil_fulfillment", value: "pass", dataType: "CATEGORICAL" });
    expect(w.langfuse.scores.get(scoreId("trace:book-ok-3-t0", "vigil_intent"))).toMatchObject({ traceId: "book-ok-3-t0", value: "book" });
    expect(w.langfuse.scores.get(scoreId("sess-info-fail-lang", "vigil_quality_wrong_language"))).toMatchObject({
      value: 1,
      dataType: "BOOLEAN",
    });

    // Diagnoses: 3 per cycle, one at a time, until every failure has one.
    const failing = FIXTURES.filter((f) => f.verdict === "fail" || f.verdict === "partial").length;
    w.openai.maxConcurrent = 0; // from here on the model only sees diagnosis calls
    for (let i = 0; i < 10; i++) {
      w.clock.advance(5 * MIN);
      const next = await w.cycle();
      expect(next.diagnosed as number).toBeLessThanOrEqual(3);
      expect(next.sessionsChecked).toBe(0);
    }
    const diagnosed = (await verdicts(w)).filter((r) => r.diagnostic_status === "complete");
    expect(diagnosed).toHaveLength(failing);
    const diagCalls = w.openai.calls.filter((c) => c.task === "diagnosis");
    expect(diagCalls).toHaveLength(failing);
    expect(w.openai.maxConcurrent).toBe(1);
    const detail = await w.t.db.execute("SELECT diagnostic_report_json FROM monitoring_results WHERE session_id = 'sess-asr-fail'");
    expect(JSON.parse(String(detail.rows[0]!.diagnostic_report_json))).toMatchObject({ category: "speech_recognition" });
    // Writing the same verdict's scores again would update, not add: one score per id.
    expect(new Set([...w.langfuse.scores.keys()]).size).toBe(w.langfuse.scores.size);
  });
});

describe("session completion and re-analysis", () => {
  it("a session is due when idle on source time (or ended by a marker) and read again after Langfuse's lag", async () => {
    w = await monitoringWorld({ env: { SESSION_IDLE_MINUTES: "30" } });
    const start = w.clock.now();
    w.langfuse.add(...fixtureObservations(FIXTURES[0]!, start));
    w.langfuse.add(...fixtureObservations(FIXTURES[1]!, start, { endMarker: true }));
    const judgedAt: Record<string, number> = {};
    for (let m = 5; m <= 40; m += 5) {
      w.clock.set(start + m * MIN);
      await w.cycle();
      for (const r of await verdicts(w)) judgedAt[r.session_id] ??= m;
    }
    // Ended: judged once the second read (MONITOR_OVERLAP_MINUTES=15 after) passed it; idle: after 30 min.
    expect(judgedAt).toEqual({ "sess-book-ok-2": 20, "sess-book-ok-1": 35 });
  });

  it("a call Langfuse serves late is judged once, whole; new activity later re-queues it once and the flipped verdict replaces its score", async () => {
    const base = fixtureJudge();
    w = await monitoringWorld({
      // The caller's return visit cancels: that verdict is a fail.
      script: (task, user) =>
        task === "fulfillment" && user.includes("cancel it all")
          ? {
              json: {
                status: "fail",
                summary: "the caller cancelled the booking",
                evidence: ["Cancelled."],
                unmet: ["booking cancelled"],
                quality: { wrong_language: false, off_topic: false, repetitive: false, failed_to_answer: false, harmful: false },
                facts: { booked_at: null, confirmation_number: null, caller_name: null },
              },
            }
          : base(task, user),
    });
    const start = w.clock.now();
    const a = FIXTURES[0]!;
    w.langfuse.add(...fixtureObservations(a, start));
    // The last exchange of the call: Langfuse serves it 12 minutes later (Cloud's read lag).
    const turn = (id: string, at: number, visibleAt: number, caller: string, bot: string) => ({
      id,
      traceId: `sess-book-ok-1-${id}`,
      sessionId: "sess-book-ok-1",
      traceName: "bot-turn",
      tags: [],
      name: "reply",
      type: "GENERATION",
      startTime: at,
      visibleAt,
      input: [{ role: "user", content: caller }],
      output: { role: "assistant", content: bot },
      level: "DEFAULT",
      statusMessage: null,
    });
    w.langfuse.add(turn("late", start + MIN, start + 12 * MIN, "And a reminder the day before?", "Reminder set for Monday."));
    for (let m = 5; m <= 40; m += 5) {
      w.clock.set(start + m * MIN);
      await w.cycle();
    }
    const once = (await verdicts(w)).filter((r) => r.session_id === "sess-book-ok-1");
    expect(once, "one verdict, made after the late turn arrived").toHaveLength(1);
    const fulfillment = w.openai.calls.filter((c) => c.task === "fulfillment");
    expect(fulfillment).toHaveLength(1);
    expect(fulfillment[0]!.user).toContain("Reminder set for Monday.");
    expect(w.langfuse.scores.get(scoreId("sess-book-ok-1", "vigil_fulfillment"))).toMatchObject({ value: "pass" });

    // The caller comes back an hour later, in three observations of one import.
    const back = w.clock.now();
    w.langfuse.add(
      turn("back-1", back + 10_000, back + 10_000, "Actually, cancel it all.", "Cancelled."),
      turn("back-2", back + 20_000, back + 20_000, "Thanks.", "Bye."),
      turn("back-3", back + 30_000, back + 30_000, "Bye.", "Goodbye."),
    );
    for (let m = 5; m <= 30; m += 5) {
      w.clock.set(back + m * MIN);
      await w.cycle();
    }
    const history = (await verdicts(w)).filter((r) => r.session_id === "sess-book-ok-1");
    expect(history.map((r) => r.verification_status)).toEqual(["pass", "fail"]);
    const scores = [...w.langfuse.scores.values()].filter((sc) => sc.sessionId === "sess-book-ok-1" && sc.name === "vigil_fulfillment");
    expect(scores, "the flipped verdict replaced the score: one score, same id").toEqual([
      expect.objectContaining({ id: scoreId("sess-book-ok-1", "vigil_fulfillment"), value: "fail" }),
    ]);
  });

  it("drops internal traffic and Vigil's own judge traces", async () => {
    w = await monitoringWorld();
    const start = w.clock.now();
    w.langfuse.add(...fixtureObservations(FIXTURES[0]!, start).map((o) => ({ ...o, tags: ["internal"] })));
    w.langfuse.add(...fixtureObservations(FIXTURES[1]!, start).map((o) => ({ ...o, traceName: "vigil-judge" })));
    w.langfuse.add(...fixtureObservations(FIXTURES[2]!, start));
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    expect(s.sessionsChecked).toBe(1);
    expect((s.langfuse as { internal: number }).internal).toBeGreaterThan(0);
  });
});

describe("frugality", () => {
  it("imports with a few large paged reads, never one per session", async () => {
    w = await monitoringWorld();
    const withSessions = FIXTURES.filter((f) => f.session !== false);
    for (let i = 0; i < 200; i++)
      w.langfuse.add(...fixtureObservations(withSessions[i % withSessions.length]!, w.clock.now() + i * 1000, { sessionId: `bulk-${i}` }));
    w.clock.advance(30 * MIN);
    const s = await w.cycle();
    expect(s.sessionsChecked).toBe(200);
    const reads = w.langfuse.requests.filter((r) => r.method === "GET");
    expect(reads.length).toBeLessThanOrEqual(3);
    expect(reads.every((r) => r.path === "/api/public/v2/observations" && !r.query.sessionId)).toBe(true);
  });
});

describe("nothing sensitive in logs", () => {
  it("never logs transcripts or keys", async () => {
    w = await monitoringWorld();
    await allFixtures(w, w.clock.now());
    w.clock.advance(20 * MIN);
    await w.cycle();
    const text = w.logs.text();
    expect(text).toContain('"msg":"session analysed"');
    for (const f of FIXTURES) expect(text).not.toContain(firstCallerLine(f));
    for (const secret of [w.openai.apiKey, w.langfuse.secretKey]) expect(text).not.toContain(secret);
  });
});

describe("not configured", () => {
  it("reports what is missing and does nothing else", async () => {
    w = await monitoringWorld({ env: { OPENAI_API_KEY: "" } });
    expect(await w.cycle()).toEqual({ notConfigured: ["judge model"] });
    expect(w.langfuse.requests).toHaveLength(0);
  });
});
