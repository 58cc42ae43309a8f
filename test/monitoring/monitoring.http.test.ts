import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import { apiAuth } from "../helpers/deps.js";
import { monitoringWorld, type MonitoringWorld } from "../helpers/monitoring.js";

let w: MonitoringWorld;
let app: ReturnType<typeof createApp>;
const get = async (path: string) => {
  const res = await app.request(path, { headers: apiAuth });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  w = await monitoringWorld();
  FIXTURES.forEach((f, i) => w.langfuse.add(...fixtureObservations(f, w.clock.now() + i * 1000)));
  w.clock.advance(20 * 60_000);
  await w.cycle();
  app = createApp(w.deps);
});
afterAll(() => w.close());

describe("monitoring queries", () => {
  it("lists verdicts with filters and a cursor", async () => {
    const fails = await get("/api/monitoring/results?status=fail&limit=100");
    expect(fails.body.results).toHaveLength(FIXTURES.filter((f) => f.verdict === "fail").length);
    expect(fails.body.results.every((r: { status: string }) => r.status === "fail")).toBe(true);
    const books = await get("/api/monitoring/results?intent=book&limit=100");
    expect(books.body.results.every((r: { intent: { type: string } }) => r.intent.type === "book")).toBe(true);
    const page1 = await get("/api/monitoring/results?limit=10");
    const page2 = await get(`/api/monitoring/results?limit=10&cursor=${page1.body.nextCursor}`);
    const ids = [...page1.body.results, ...page2.body.results].map((r: { id: number }) => r.id);
    expect(new Set(ids).size).toBe(20);
    expect((await get("/api/monitoring/results?status=maybe")).status).toBe(400);
    expect((await get("/api/monitoring/results?since=yesterday")).status).toBe(400);
  });

  it("shows a session's verdict history and diagnosis, never its transcript", async () => {
    const { body } = await get("/api/monitoring/sessions/sess-book-fail-tool");
    // 2 caller turns, 2 bot replies, each caller turn its own trace.
    expect(body).toMatchObject({ sessionId: "sess-book-fail-tool", state: "analyzed", traces: 2, turns: 4 });
    expect(body.verdicts[0]).toMatchObject({ status: "fail", intent: { type: "book" } });
    expect(JSON.stringify(body)).not.toContain("upstream timeout");
    expect((await get("/api/monitoring/sessions/nope")).status).toBe(404);
  });

  it("re-analyses on request, keeping the earlier verdict", async () => {
    const res = await app.request("/api/monitoring/sessions/sess-info-ok-1/reanalyze", { method: "POST", headers: apiAuth });
    expect(res.status).toBe(202);
    w.clock.advance(60_000);
    await w.cycle();
    const { body } = await get("/api/monitoring/sessions/sess-info-ok-1");
    expect(body.verdicts).toHaveLength(2);
    expect((await app.request("/api/monitoring/sessions/nope/reanalyze", { method: "POST", headers: apiAuth })).status).toBe(404);
  });

  it("summarises rates by intent and the top failure categories", async () => {
    const { body } = await get("/api/monitoring/summary?hours=24");
    expect(body.totals.skipped).toBe(3);
    const book = body.byIntent.find((b: { intent: string }) => b.intent === "book");
    expect(book).toMatchObject({ pass: 3 });
    expect(body.topFailureCategories.length).toBeGreaterThan(0);
  });

  it("counts a long session's turns a chunk at a time, a caller line repeated across chunks once", async () => {
    const start = w.clock.now();
    // 250 generations, 5 to a trace, each repeating the caller's one line: 1 caller turn, 250 replies.
    w.langfuse.add(
      ...Array.from({ length: 250 }, (_, i) => ({
        id: `long-${i}`,
        traceId: `long-t${Math.floor(i / 5)}`,
        sessionId: "sess-long",
        traceName: "bot-turn",
        tags: [],
        name: "reply",
        type: "GENERATION",
        startTime: start + i * 100,
        level: "DEFAULT",
        statusMessage: null,
        input: [{ role: "user", content: "Hello?" }],
        output: { role: "assistant", content: `Reply ${i}` },
      })),
    );
    w.clock.advance(20 * 60_000);
    await w.cycle();
    const { body } = await get("/api/monitoring/sessions/sess-long");
    expect(body).toMatchObject({ observations: 250, traces: 50, turns: 251 });
  });
});
