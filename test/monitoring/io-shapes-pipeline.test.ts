import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { monitoringSummary } from "../../src/monitoring/result-queries.js";
import { scoreId } from "../../src/monitoring/scores.js";
import type { ScriptedReply } from "../../fakes/openai-server.js";
import { SHAPE_BOT, SHAPE_CALLER, SHAPE_NAMES, shapeObservations } from "../../fixtures/io-shapes.js";
import { API_KEY, apiAuth } from "../helpers/deps.js";
import { monitoringWorld, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});
const MIN = 60_000;
const line = (role: string, text: string) => JSON.stringify({ role, text });

/**
 * A judge that reads the transcript it is given: a pass only when it holds both of the caller's
 * lines, the booking tool's confirmation and the bot's confirming reply, as a careful model would.
 */
function readingJudge(task: string, user: string): ScriptedReply {
  if (task === "intent")
    return user.includes(line("caller", SHAPE_CALLER[0]!))
      ? { json: { intent: "book", confidence: 0.95, summary: "book a cleaning" } }
      : { json: { intent: "unknown", confidence: 0.2, summary: "no request seen" } };
  const booked =
    user.includes(line("caller", SHAPE_CALLER[1]!)) &&
    user.includes(line("bot", SHAPE_BOT[1]!)) &&
    /"role":"tool","text":"[^\n]*BK-4411/.test(user);
  const quality = { wrong_language: false, off_topic: false, repetitive: false, failed_to_answer: !booked, harmful: false };
  return {
    json: booked
      ? { status: "pass", summary: "booked and confirmed", evidence: [SHAPE_BOT[1]], unmet: [], quality }
      : { status: "fail", summary: "no booking seen", evidence: [], unmet: ["booking"], quality },
  };
}

describe("conversations in every common I/O shape, through the monitor cycle", () => {
  it("each booked call is judged pass on its real turns, and its scores are taken, in the observations' environment", async () => {
    w = await monitoringWorld({ script: readingJudge });
    SHAPE_NAMES.forEach((shape, i) =>
      w!.langfuse.add(...shapeObservations(shape, w!.clock.now() + i * 10_000).map((o) => ({ ...o, environment: "production" }))),
    );
    w.clock.advance(20 * MIN);
    const summary = await w.cycle();

    const rows = await verdicts(w);
    expect(rows.map((r) => [r.session_id, r.verification_status]).sort()).toEqual(
      SHAPE_NAMES.map((s) => [`sess-shape-${s}`, "pass"]).sort(),
    );
    expect(summary).toMatchObject({ passed: SHAPE_NAMES.length, failed: 0, skipped: 0 });
    expect(summary.scoresRefused).toBeUndefined();
    expect(summary.scoresPending).toBeUndefined();
    for (const shape of SHAPE_NAMES)
      expect(w.langfuse.scores.get(scoreId(`sess-shape-${shape}`, "vigil_fulfillment")), shape).toMatchObject({
        sessionId: `sess-shape-${shape}`,
        value: "pass",
        environment: "production",
      });
  });

  it("an unreadable shape is skipped, never judged nor scored fail; counted, and its keys logged once", async () => {
    w = await monitoringWorld({ script: readingJudge });
    const unread = (n: number) =>
      shapeObservations("openai-chat", w!.clock.now() + n * 10_000).map((o) => ({
        ...o,
        id: `${o.id}-u${n}`,
        sessionId: `sess-unread-${n}`,
        // A reply in a wrapper no library writes: judged without it, the booked call would read as a failure.
        output: o.type === "GENERATION" ? { result: { utterance: SHAPE_BOT[1] }, latency: 3 } : o.output,
      }));
    w.langfuse.add(...unread(1), ...unread(2));
    w.clock.advance(20 * MIN);
    const summary = await w.cycle();

    expect(w.openai.calls).toEqual([]);
    const rows = await verdicts(w);
    expect(rows.map((r) => [r.session_id, r.verification_status, r.error]).sort()).toEqual([
      ["sess-unread-1", "skipped", "unreadable_transcript: output {result,latency}"],
      ["sess-unread-2", "skipped", "unreadable_transcript: output {result,latency}"],
    ]);
    expect(summary).toMatchObject({ skipped: 2, failed: 0, unreadable: { sessions: 2, shapes: ["output {result,latency}"] } });
    expect(w.langfuse.scores.get(scoreId("sess-unread-1", "vigil_fulfillment"))).toMatchObject({ value: "skipped" });
    const logged = w.logs.records().filter((r) => r.msg === "transcript shape not readable: session skipped, not judged");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ reason: "unreadable_transcript", shapes: ["output {result,latency}"] });
    expect(w.logs.text()).not.toContain("BK-4411");
    expect(await monitoringSummary(w.t.db, 0)).toMatchObject({ unreadable: 2, scoresRefused: 0 });
    const app = createApp(w.deps);
    const api = (await (await app.request("/api/monitoring/summary?hours=24", { headers: apiAuth })).json()) as { unreadable: number };
    expect(api.unreadable).toBe(2);
    const page = await app.request("/status", { headers: { authorization: `Basic ${Buffer.from(`me:${API_KEY}`).toString("base64")}` } });
    expect(await page.text()).toContain("2 not judged: transcript shape not readable.");
  });
});
