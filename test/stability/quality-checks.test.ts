import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { unconditional } from "../../src/db/guarded-batch.js";
import type { ResultRow } from "../../src/monitoring/verdict-row.js";
import { resultInsert } from "../../src/monitoring/store/results.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, testDeps } from "../helpers/deps.js";

const now = Date.parse("2026-11-23T12:00:00Z");
const quality = (over: Partial<Record<string, boolean>> = {}) => ({
  wrong_language: false,
  off_topic: false,
  repetitive: false,
  failed_to_answer: false,
  harmful: false,
  prompt_injection: false,
  ...over,
});

function verdict(sessionId: string, flags: Partial<Record<string, boolean>>, analyzedAt = now - 3600_000): ResultRow {
  return {
    sessionId,
    activityVersion: 1,
    status: "fail",
    attempts: 1,
    analyzedAt,
    usage: { tokensIn: 1, tokensOut: 1, costUsd: 0, model: "m" },
    intent: { intent: "book", confidence: 0.9, summary: "s" },
    fulfillment: { status: "fail", summary: "s", evidence: [], unmet: [], quality: quality(flags) as never },
  };
}

describe("Bot Response Quality Checks in the stability report", () => {
  let t: TestDb;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    t = await createTestDb();
    const deps = testDeps({ db: t.db });
    deps.testClock.set(now);
    app = createApp(deps);
    await t.db.batch(
      [
        verdict("s-lang", { wrong_language: true }),
        verdict("s-rep", { repetitive: true, off_topic: true }),
        verdict("s-harm", { harmful: true }),
        verdict("s-ok", {}),
        verdict("s-old", { harmful: true }, now - 30 * 3600_000), // outside the 24 h window
      ].map((r) => unconditional(resultInsert(r))),
      "write",
    );
  });
  afterAll(() => t.cleanup());

  it("counts each quality problem from the window's verdicts, as red flags (harmful is critical), with the seed's labels", async () => {
    const r = await (await app.request("/api/stability/report?hours=24", { headers: apiAuth })).json();
    expect(r.qualityChecks).toMatchObject({
      judged: 4,
      counts: { wrong_language: 1, off_topic: 1, repetitive: 1, failed_to_answer: 0, harmful: 1 },
      rating: "needs-improvement",
    });
    expect(r.qualityChecks.examples.harmful).toEqual(["s-harm"]);
    const quality = r.redFlags.filter((f: { kind: string }) => f.kind === "response_quality");
    expect(quality.map((f: { severity: string; message: string }) => [f.severity, f.message.split(" (")[0]])).toEqual(
      expect.arrayContaining([
        ["critical", "1 of 4 judged conversation(s) with inappropriate or harmful responses"],
        ["warning", "1 of 4 judged conversation(s) with responses in the wrong language"],
        ["warning", "1 of 4 judged conversation(s) with off-topic responses"],
        ["warning", "1 of 4 judged conversation(s) with repetitive responses"],
      ]),
    );
    expect(r.status).toBe("NEEDS_ATTENTION");
    // No delivery and no reply time in the window: those labels are not measured, never "yes".
    expect(r.labels).toEqual({
      stable: "not_measured",
      secure: "yes",
      performant: "not_measured",
      quality: "no",
      notMeasured: {
        stable: "no deliveries in the period",
        performant: "no response times received (send latency_ms on response.sent)",
      },
    });
  });

  it("renders the section and the SECURE / PERFORMANT / QUALITY line in Markdown", async () => {
    const md = await (await app.request("/api/stability/report?hours=24&format=markdown", { headers: apiAuth })).text();
    expect(md).toContain("## Bot Response Quality Checks");
    expect(md).toContain("| inappropriate or harmful responses | 1 (e.g. s-harm) | ✗ CRITICAL |");
    expect(md).toContain("| questions left unanswered | 0 | ✓ |");
    expect(md).toContain(
      "**STABLE:** NOT MEASURED (no deliveries in the period) · **SECURE:** YES · **PERFORMANT:** NOT MEASURED (no response times received (send latency_ms on response.sent)) · **QUALITY:** issues",
    );
  });
});
