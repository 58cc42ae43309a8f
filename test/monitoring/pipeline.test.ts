import { afterEach, describe, expect, it } from "vitest";
import { scoreId } from "../../src/monitoring/scores.js";
import { FIXTURES } from "../fixtures/conversations.js";
import { firstCallerLine, fixtureObservations } from "../fixtures/to-observations.js";
import { monitoringWorld, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";

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
  it("waits for SESSION_IDLE_MINUTES, or an end marker; new activity brings a second verdict", async () => {
    w = await monitoringWorld();
    const [a, b] = [FIXTURES[0]!, FIXTURES[1]!];
    const start = w.clock.now();
    w.langfuse.add(...fixtureObservations(a, start));
    w.langfuse.add(...fixtureObservations(b, start, { endMarker: true }));
    w.clock.advance(15_000 + 2 * MIN);
    const first = await w.cycle();
    expect(first.sessionsChecked).toBe(1); // only the one that ended
    expect((await verdicts(w)).map((r) => r.session_id)).toEqual(["sess-book-ok-2"]);

    w.clock.advance(5 * MIN);
    expect((await w.cycle()).sessionsChecked).toBe(1);

    // A late turn on an analysed session (read lagging ingestion, within the overlap margin).
    w.langfuse.add({
      id: "late-1",
      traceId: "sess-book-ok-1-late",
      sessionId: "sess-book-ok-1",
      traceName: "bot-turn",
      tags: [],
      name: "reply",
      type: "GENERATION",
      startTime: start + 60_000,
      visibleAt: w.clock.now() + 4 * MIN,
      input: [{ role: "user", content: firstCallerLine(a) }],
      output: { role: "assistant", content: "Anything else?" },
      level: "DEFAULT",
      statusMessage: null,
    });
    w.clock.advance(5 * MIN);
    const later = await w.cycle();
    expect(later.imported).toBe(1);
    const history = (await verdicts(w)).filter((r) => r.session_id === "sess-book-ok-1");
    expect(history.map((r) => r.activity_version)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(history[1]!.activity_version).toBeGreaterThan(history[0]!.activity_version);
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
