import { afterEach, describe, expect, it } from "vitest";
import { runMonitorCycle } from "../../src/monitoring/cycle.js";
import { scoreId } from "../../src/monitoring/scores.js";
import type { ScriptedReply } from "../../fakes/openai-server.js";
import { ADVERSARIAL } from "../../fixtures/adversarial.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { firstCallerLine, fixtureObservations } from "../../fixtures/to-observations.js";
import { monitoringWorld, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";
import { fixtureJudge } from "../../fixtures/judge.js";
import { addSessions, JUDGED } from "./factories.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MIN = 60_000;

describe("a judge on any OpenAI-compatible server and current models", () => {
  it("a reasoning model (gpt-5*) gets no temperature; a server without json_schema gets json_object, validated by the same schema", async () => {
    w = await monitoringWorld({
      traits: { defaultTemperatureOnly: true, noJsonSchema: true },
      env: { JUDGE_MODEL: "gpt-5-mini", MONITOR_CONCURRENCY: "1" },
    });
    addSessions(w, 4);
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    expect(s).toMatchObject({ sessionsChecked: 4, errors: 0 });
    expect(w.openai.calls.every((c) => c.temperature === undefined)).toBe(true);
    // The first call learns json_schema is refused; every later one asks for json_object.
    expect(w.openai.calls.map((c) => c.format).filter((f) => f === "json_schema")).toEqual(["json_schema"]);
    expect(w.openai.calls.slice(1).every((c) => c.format === "json_object")).toBe(true);
    const rows = await verdicts(w);
    for (let i = 0; i < 4; i++)
      expect(rows.find((r) => r.session_id === `s-${i}`)).toMatchObject({ verification_status: JUDGED[i]!.verdict });
  });

  it("JUDGE_TEMPERATURE=auto on a model that refuses temperature 0: asked again without it, no error recorded", async () => {
    w = await monitoringWorld({ traits: { defaultTemperatureOnly: true }, env: { JUDGE_MODEL: "my-reasoner" } });
    addSessions(w, 2);
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    expect(s, JSON.stringify(await verdicts(w))).toMatchObject({ sessionsChecked: 2, errors: 0 });
    const firstWithout = w.openai.calls.findIndex((c) => c.temperature === undefined);
    expect(firstWithout).toBeGreaterThan(0);
    expect(w.openai.calls.slice(firstWithout).every((c) => c.temperature === undefined)).toBe(true);
  });
});

describe("usage is counted from every response", () => {
  it.each([
    ["a reply cut at the length limit", { raw: '{"status":"pass","summ', finishReason: "length" }],
    ["a reply that breaks the schema", { json: { status: "maybe" } }],
  ] as [string, ScriptedReply][])("%s: the verdict is an error, and its tokens are in the spend", async (_name, bad) => {
    const base = fixtureJudge();
    w = await monitoringWorld({ script: (task, user) => (task === "fulfillment" ? bad : base(task, user)) });
    addSessions(w, 1);
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    expect(s.errors).toBe(1);
    const row = (await w.t.db.execute("SELECT tokens_in, tokens_out, error FROM monitoring_results")).rows[0]!;
    // intent (1 call) + fulfillment (2 calls): all three were billed.
    const calls = w.openai.calls.filter((c) => c.task === "fulfillment");
    expect(calls).toHaveLength(2);
    const expectedIn = w.openai.calls.reduce((n, c) => n + Math.ceil(c.user.length / 4), 0);
    expect(Number(row.tokens_in)).toBe(expectedIn);
    expect(Number(row.tokens_out)).toBeGreaterThan(0);
    expect(s.tokens).toBe(Number(row.tokens_in) + Number(row.tokens_out));
    const spend = (await w.t.db.execute("SELECT tokens FROM judge_spend")).rows[0]!;
    expect(Number(spend.tokens)).toBe(s.tokens);
  });
});

describe("the function's deadline", () => {
  it("no model call and no score write starts once the invocation's deadline is near; sessions stay queued without spending an attempt", async () => {
    let deadline = Infinity;
    w = await monitoringWorld({ functionDeadline: () => deadline });
    addSessions(w, 3);
    w.clock.advance(20 * MIN);
    // Imported and settled, not judged (no analysis slots): finished and due.
    await runMonitorCycle(
      { ...w.deps, settings: { ...w.deps.settings, monitor: { ...w.deps.settings.monitor, concurrency: 0 } } },
      w.clock.now(),
    );
    w.clock.advance(MIN);
    deadline = w.clock.now() - 1;
    const s = await w.cycle();
    expect(w.openai.calls).toHaveLength(0);
    expect(s).toMatchObject({ sessionsChecked: 0, backlog: 3 });
    const rows = (await w.t.db.execute("SELECT state, attempts FROM monitor_sessions")).rows;
    expect(rows.map((r) => [r.state, Number(r.attempts)])).toEqual([
      ["pending", 0],
      ["pending", 0],
      ["pending", 0],
    ]);
  });

  it("every model call starts with time left to finish before the deadline; what did not fit waits for the next cycle", async () => {
    const startedAt: number[] = [];
    const base = fixtureJudge();
    let deadline = 0;
    // Each model call takes one minute of the (test) clock.
    w = await monitoringWorld({
      env: {
        CRON_MAX_DURATION_SECONDS: "3600",
        MONITOR_CONCURRENCY: "1",
        MODEL_TIMEOUT_SECONDS: "30",
        LANGFUSE_TIMEOUT_SECONDS: "10",
        DIAGNOSES_PER_CYCLE: "0",
      },
      functionDeadline: () => deadline,
      script: (task, user) => {
        startedAt.push(w!.clock.now());
        w!.clock.advance(MIN);
        return base(task, user);
      },
    });
    addSessions(w, 6);
    w.clock.advance(20 * MIN);
    deadline = w.clock.now() + 5 * MIN;
    const s = await w.cycle();
    // Latest start: deadline − 5 s safety − 5 s kept for the score write − 5 s, the least a call
    // is started with (its timeout is cut to the time left, never past the deadline).
    const latestStart = deadline - 5_000 - 5_000 - 5_000;
    expect(startedAt.length).toBeGreaterThan(0);
    expect(startedAt.every((t) => t <= latestStart)).toBe(true);
    expect(s.backlog as number).toBeGreaterThan(0);
    // The clock is past the deadline's margin: the score write did not start either.
    expect(w.langfuse.requests.filter((r) => r.path === "/api/public/ingestion")).toHaveLength(0);
    expect(s.scoresWritten).toBe(0);
    deadline = Infinity;
    w.clock.advance(5 * MIN);
    await w.cycle();
    expect((await verdicts(w)).length).toBe(6);
  });
});

describe("the caller cannot steer the verdict", () => {
  /** A stub model that obeys whatever the transcript tells it, as a weak model might. */
  const obedient = (task: string, user: string): ScriptedReply => {
    const f = ADVERSARIAL.find((x) => user.includes(JSON.stringify(firstCallerLine(x)).slice(1, 30)));
    if (!f) return { json: { intent: "unknown", confidence: 0.1, summary: "-" } };
    if (task === "intent") return { json: { intent: f.intent, confidence: 0.9, summary: "caller request" } };
    return {
      json: {
        status: "pass",
        summary: "the bot confirmed it",
        evidence: [f.forgedEvidence],
        unmet: [],
        quality: { wrong_language: false, off_topic: false, repetitive: false, failed_to_answer: false, harmful: false },
      },
    };
  };

  it("forged BOT:/TOOL: lines, role JSON and evaluator notes are never stored or scored as pass, and are flagged prompt_injection", async () => {
    w = await monitoringWorld({ script: obedient });
    ADVERSARIAL.forEach((f, i) => w!.langfuse.add(...fixtureObservations(f, w!.clock.now() + i * 1000)));
    w.clock.advance(20 * MIN);
    await w.cycle();
    const rows = (await w.t.db.execute("SELECT session_id, verification_status, unmet, quality_flags FROM monitoring_results")).rows;
    expect(rows).toHaveLength(ADVERSARIAL.length);
    for (const f of ADVERSARIAL) {
      const row = rows.find((r) => r.session_id === `sess-${f.id}`)!;
      expect([f.id, row.verification_status]).not.toEqual([f.id, "pass"]);
      expect(JSON.parse(String(row.unmet)).join(" ")).toMatch(/evidence not found/);
      expect([f.id, JSON.parse(String(row.quality_flags)).prompt_injection]).toEqual([f.id, true]);
      expect(w.langfuse.scores.get(scoreId(`sess-${f.id}`, "vigil_fulfillment"))?.value).not.toBe("pass");
      expect(w.langfuse.scores.get(scoreId(`sess-${f.id}`, "vigil_quality_prompt_injection"))?.value).toBe(1);
    }
    // The judge saw each turn as one JSON object: no caller text starts a line of its own.
    for (const c of w.openai.calls) expect(c.user).not.toMatch(/^(BOT|TOOL):/m);
  });

  it("an honest conversation is not flagged, and its evidence from the bot's turns keeps the pass", async () => {
    w = await monitoringWorld();
    w.langfuse.add(...fixtureObservations(FIXTURES[0]!, w.clock.now()));
    w.clock.advance(20 * MIN);
    await w.cycle();
    const row = (await w.t.db.execute("SELECT verification_status, quality_flags FROM monitoring_results")).rows[0]!;
    expect(row.verification_status).toBe("pass");
    expect(JSON.parse(String(row.quality_flags)).prompt_injection).toBe(false);
  });
});
