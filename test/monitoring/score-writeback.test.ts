import { LangfuseClient } from "@langfuse/client";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";
import { SIGNAL_FNS } from "../../src/alerts/signals.js";
import { monitoringSummary } from "../../src/monitoring/result-queries.js";
import { flushScores, scoreId } from "../../src/monitoring/scores.js";
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
const open = () => 1000;

/** A verdict row as the monitor stores it, without scores yet. */
const verdict = (world: MonitoringWorld, sessionId: string, version: number, status: string, at: number) =>
  world.t.db.execute({
    sql: `INSERT INTO monitoring_results (session_id, activity_version, verification_status, intent_type, verdict_summary, quality_flags, analyzed_at)
          VALUES (?, ?, ?, 'book', ?, '{}', ?)`,
    args: [sessionId, version, status, `${status} v${version}`, at],
  });
const settled = async (world: MonitoringWorld) =>
  (
    await world.t.db.execute(
      "SELECT session_id, activity_version, scores_written_at IS NOT NULL AS done, scores_refused FROM monitoring_results ORDER BY id",
    )
  ).rows.map((r) => ({ ...r }));

describe("the Langfuse fake applies score batches as Langfuse does", () => {
  it("refuses a score without exactly one non-empty target or with a value of the wrong type (400 in the 207)", async () => {
    w = await monitoringWorld();
    const client = new LangfuseClient({ publicKey: w.langfuse.publicKey, secretKey: w.langfuse.secretKey, baseUrl: w.langfuse.url });
    const at = new Date(w.clock.now()).toISOString();
    const event = (id: string, body: Record<string, unknown>) => ({
      id,
      type: "score-create" as const,
      timestamp: at,
      body: { id, name: "n", ...body } as never,
    });
    const res = await client.api.ingestion.batch({
      batch: [
        event("ok", { sessionId: "s1", value: "pass", dataType: "CATEGORICAL" }),
        event("empty-session", { sessionId: "", value: "pass", dataType: "CATEGORICAL" }),
        event("two-targets", { sessionId: "s1", traceId: "t1", value: 1, dataType: "NUMERIC" }),
        event("category-number", { traceId: "t1", value: 1, dataType: "CATEGORICAL" }),
        event("boolean-two", { traceId: "t1", value: 2, dataType: "BOOLEAN" }),
      ],
    });
    expect(res.successes.map((s) => s.id)).toEqual(["ok"]);
    expect(res.errors.map((e) => [e.id, e.status])).toEqual([
      ["empty-session", 400],
      ["two-targets", 400],
      ["category-number", 400],
      ["boolean-two", 400],
    ]);
    expect(String(res.errors[0]!.error)).toMatch(/exactly one of the following/);
  });

  it("keeps the older of two same-timestamp events for one score id (the worker's comparator reverses them)", async () => {
    w = await monitoringWorld();
    const client = new LangfuseClient({ publicKey: w.langfuse.publicKey, secretKey: w.langfuse.secretKey, baseUrl: w.langfuse.url });
    const at = new Date(w.clock.now()).toISOString();
    const body = (value: string) => ({ id: "score-1", name: "n", sessionId: "s1", value, dataType: "CATEGORICAL" }) as never;
    await client.api.ingestion.batch({
      batch: [
        { id: "e1", type: "score-create", timestamp: at, body: body("older") },
        { id: "e2", type: "score-create", timestamp: at, body: body("newer") },
      ],
    });
    expect(w.langfuse.scores.get("score-1")).toMatchObject({ value: "older" });
  });
});

describe("score write-back", () => {
  it("sends only a session's newest verdict, so Langfuse keeps it (nothing older wins)", async () => {
    w = await monitoringWorld();
    const now = w.clock.now();
    await verdict(w, "sess-a", 1, "fail", now - 3 * MIN);
    await verdict(w, "sess-a", 2, "pass", now - 2 * MIN);
    const result = await flushScores(w.t.db, w.deps.monitoring!.source!, open, now);
    expect(w.langfuse.scores.get(scoreId("sess-a", "vigil_fulfillment"))).toMatchObject({ value: "pass", comment: "pass v2" });
    expect(result).toMatchObject({ written: 2, failed: 0, refused: 0 });
    // Both versions are settled by the one write: none is sent again.
    expect((await settled(w)).map((r) => r.done)).toEqual([1, 1]);
  });

  it("a refused score is kept with its reason, never sent again, and leaves the pending window to the others", async () => {
    w = await monitoringWorld();
    const now = w.clock.now();
    w.langfuse.refuseScore = (body) => (body.sessionId === "sess-bad" ? "score config mismatch" : undefined);
    await verdict(w, "sess-bad", 1, "pass", now - 3 * MIN);
    await verdict(w, "sess-good", 1, "pass", now - 2 * MIN);
    // A window of one verdict: a refusal that stayed pending would hold it for good.
    const first = await flushScores(w.t.db, w.deps.monitoring!.source!, open, now, 1);
    expect(first).toMatchObject({
      written: 0,
      refused: 1,
      failed: 0,
      reasons: [expect.stringMatching(/^refused: 400: .*score config mismatch/)],
    });
    const second = await flushScores(w.t.db, w.deps.monitoring!.source!, open, now + MIN, 1);
    expect(second).toMatchObject({ written: 2, refused: 0 }); // sess-good's fulfillment and intent
    expect(w.langfuse.scores.get(scoreId("sess-good", "vigil_fulfillment"))).toMatchObject({ value: "pass" });
    expect(await settled(w)).toEqual([
      { session_id: "sess-bad", activity_version: 1, done: 1, scores_refused: expect.stringMatching(/^400: .*score config mismatch/) },
      { session_id: "sess-good", activity_version: 1, done: 1, scores_refused: null },
    ]);
    const sent = w.langfuse.requests.filter((r) => r.path === "/api/public/ingestion").length;
    await flushScores(w.t.db, w.deps.monitoring!.source!, open, now + 2 * MIN, 1);
    expect(w.langfuse.requests.filter((r) => r.path === "/api/public/ingestion").length).toBe(sent);

    // Shown in the summary and raised as an alert, with the reason.
    expect(await monitoringSummary(w.t.db, now - 10 * MIN)).toMatchObject({ scoresRefused: 1 });
    const rule = DEFAULT_RULES.find((r) => r.name === "scores_refused")!;
    expect(await SIGNAL_FNS.scores_refused(w.deps, now + 3 * MIN, rule)).toEqual([
      { labels: {}, summary: expect.stringMatching(/refused the scores of 1 verdict\(s\).*score config mismatch/) },
    ]);
  });

  it("never sends a score without a non-empty target: such a verdict is settled with the reason", async () => {
    w = await monitoringWorld();
    const now = w.clock.now();
    await verdict(w, "", 1, "pass", now - 2 * MIN);
    await verdict(w, "trace:", 1, "pass", now - 2 * MIN);
    const result = await flushScores(w.t.db, w.deps.monitoring!.source!, open, now);
    expect(w.langfuse.requests.filter((r) => r.path === "/api/public/ingestion")).toEqual([]);
    expect(result).toMatchObject({ written: 0, refused: 2, reasons: [expect.stringMatching(/^no target/)] });
    expect((await settled(w)).map((r) => [r.done, r.scores_refused])).toEqual([
      [1, expect.stringMatching(/^no target/)],
      [1, expect.stringMatching(/^no target/)],
    ]);
  });

  it("through the cycle: a refusal shows in the run summary and the next cycle sends nothing for it", async () => {
    w = await monitoringWorld();
    w.langfuse.add(...fixtureObservations(FIXTURES[0]!, w.clock.now()));
    w.langfuse.refuseScore = (body) => (body.name === "vigil_intent" ? "score config mismatch" : undefined);
    w.clock.advance(20 * MIN);
    const first = await w.cycle();
    expect(first).toMatchObject({ scoresRefused: 1, scoreReasons: [expect.stringMatching(/score config mismatch/)] });
    expect(w.logs.records().some((r) => r.msg === "langfuse refused scores: kept with the reason, not sent again")).toBe(true);
    const app = createApp(w.deps);
    const api = (await (await app.request("/api/monitoring/summary?hours=24", { headers: apiAuth })).json()) as { scoresRefused: number };
    expect(api.scoresRefused).toBe(1);
    const page = await app.request("/status", { headers: { authorization: `Basic ${Buffer.from(`me:${API_KEY}`).toString("base64")}` } });
    expect(await page.text()).toContain("1 verdict(s) whose scores Langfuse refused.");
    w.clock.advance(5 * MIN);
    const second = await w.cycle();
    expect(second.scoresWritten).toBe(0);
    expect(second.scoresRefused).toBeUndefined();
  });
});
