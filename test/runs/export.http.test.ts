import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, remoteTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, testDeps } from "../helpers/deps.js";

let t: TestDb;
const RUNS = 20_000;
const EXECUTIONS_PER_RUN = 10;

beforeAll(async () => {
  t = await createTestDb();
  const now = Date.now();
  for (let start = 0; start < RUNS; start += 2000) {
    const stmts = [];
    for (let i = start; i < start + 2000; i++) {
      stmts.push({
        sql: "INSERT INTO orchestrations (id, session_id, task_description, status, started_at, total_tasks, last_progress_at) VALUES (?, ?, ?, 'completed', ?, 10, ?)",
        args: [i + 1, `s-${i}`, `exported run number ${i} with a description long enough to weigh something`, now, now],
      });
      for (let j = 0; j < EXECUTIONS_PER_RUN; j++) {
        stmts.push({
          sql: "INSERT INTO agent_executions (orchestration_id, agent_session_id, agent_name, status, started_at, error_message) VALUES (?, ?, 'coder', 'completed', ?, ?)",
          args: [i + 1, `a-${i}-${j}`, now, "x".repeat(200)],
        });
      }
    }
    await t.db.batch(stmts, "write");
  }
}, 120_000);
afterAll(() => t.cleanup());

describe("GET /api/export", () => {
  it("streams 220,000 rows in many chunks with bounded memory", async () => {
    const app = createApp(testDeps({ db: t.db }));
    const res = await app.request("/api/export", { headers: apiAuth });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let bytes = 0;
    let chunks = 0;
    let executions = 0;
    let tail = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks++;
      bytes += value.byteLength;
      const text = tail + decoder.decode(value, { stream: true });
      executions += text.split('"agentSessionId"').length - 1;
      tail = text.slice(-20);
      if (chunks % 500 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    }
    expect(executions).toBe(RUNS * EXECUTIONS_PER_RUN);
    expect(bytes).toBeGreaterThan(80 * 1024 * 1024);
    expect(chunks).toBeGreaterThan(1000);
    // Buffering the export would hold its whole text (twice, as UTF-16): far above this. In
    // remote mode the Hrana fake serves the pages from this same heap, so its garbage would be
    // counted as the export's: the bound is checked against a file database only.
    if (!remoteTestDb)
      expect(peak, `peak heap growth ${Math.round(peak / 1e6)} MB for ${Math.round(bytes / 1e6)} MB exported`).toBeLessThan(bytes / 2);
  });

  it("exports one session as valid JSON with only its rows", async () => {
    const app = createApp(testDeps({ db: t.db }));
    const res = await app.request("/api/export?session=s-42", { headers: apiAuth });
    const body = await res.json();
    expect(body.orchestrations.map((o: { sessionId: string }) => o.sessionId)).toEqual(["s-42"]);
    expect(body.executions).toHaveLength(EXECUTIONS_PER_RUN);
    expect(body.executions.every((e: { agentSessionId: string }) => e.agentSessionId.startsWith("a-42-"))).toBe(true);
    expect((await app.request("/api/export?session=missing", { headers: apiAuth })).status).toBe(404);
  });
});
