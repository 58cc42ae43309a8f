import { afterEach, describe, expect, it } from "vitest";
import { scoreId } from "../../src/monitoring/scores.js";
import type { ScriptedReply } from "../../fakes/openai-server.js";
import { STEERED_IN_LANGUAGES } from "../../fixtures/adversarial.js";
import { firstCallerLine, fixtureObservations } from "../../fixtures/to-observations.js";
import { monitoringWorld, type MonitoringWorld } from "../helpers/monitoring.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});
const MIN = 60_000;
const quality = { wrong_language: false, off_topic: false, repetitive: false, failed_to_answer: false, harmful: false };

/** A model that does what the transcript tells it: pass, quoting what the caller wanted quoted. */
const obedient = (task: string, user: string): ScriptedReply => {
  const f = STEERED_IN_LANGUAGES.find((x) => user.includes(JSON.stringify(firstCallerLine(x)).slice(1, 25)));
  if (!f) return { json: { intent: "unknown", confidence: 0.1, summary: "-" } };
  if (task === "intent") return { json: { intent: f.intent, confidence: 0.9, summary: "caller request" } };
  return { json: { status: "pass", summary: "done as asked", evidence: [f.forgedEvidence], unmet: [], quality } };
};

describe("the judge's defences against a model that obeys the transcript", () => {
  it("a pass quoting a word or a phrase cut from the bot's refusal, or asked for in any language, is never stored nor scored as pass", async () => {
    w = await monitoringWorld({ script: obedient });
    STEERED_IN_LANGUAGES.forEach((f, i) => w!.langfuse.add(...fixtureObservations(f, w!.clock.now() + i * 1000)));
    w.clock.advance(20 * MIN);
    await w.cycle();
    const rows = (await w.t.db.execute("SELECT session_id, verification_status, unmet, quality_flags FROM monitoring_results")).rows;
    expect(rows).toHaveLength(STEERED_IN_LANGUAGES.length);
    for (const f of STEERED_IN_LANGUAGES) {
      const row = rows.find((r) => r.session_id === `sess-${f.id}`)!;
      expect([f.id, row.verification_status]).toEqual([f.id, "partial"]);
      expect([f.id, JSON.parse(String(row.quality_flags)).prompt_injection]).toEqual([f.id, f.injection]);
      expect(w.langfuse.scores.get(scoreId(`sess-${f.id}`, "vigil_fulfillment"))?.value).toBe("partial");
      const unmet = JSON.parse(String(row.unmet)).join(" ");
      if (f.injection) expect(unmet, f.id).toMatch(/addresses the evaluator/);
    }
    const unmetOf = (id: string) => JSON.parse(String(rows.find((r) => r.session_id === `sess-${id}`)!.unmet)).join(" ");
    expect(unmetOf("quote-a-word")).toMatch(/"Tuesday" \(cut beside a negation\)/);
    expect(unmetOf("steer-fr")).toMatch(/"vendredi" \(too short to prove anything\)/);
    expect(unmetOf("quote-without-negation")).toMatch(/cut beside a negation/);
  });
});
