import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src/db/client.js";
import { ABANDONED_RUN_ERROR } from "../../src/job-records/job-runs.js";
import { catchUpRollups } from "../../src/stability/rollup-catch-up.js";
import { startFakeLangfuse, type FakeLangfuse } from "../../fakes/langfuse-server.js";
import { startFakeOpenAI, type FakeOpenAI } from "../../fakes/openai-server.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import { CRON_SECRET, API_KEY } from "../helpers/deps.js";
import { fixtureJudge } from "../../fixtures/judge.js";
import { startServer, waitFor, type ServerProcess } from "../helpers/server-process.js";
import { signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

// Guarantees when the process dies without warning (SIGKILL: no shutdown hook runs):
// every webhook that was acknowledged is in the database after a restart, and a monitor
// cycle killed half-way leaves every session to be analysed exactly once by later cycles.

const dir = mkdtempSync(join(tmpdir(), "vigil-kill-"));
const servers: ServerProcess[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.child.kill("SIGKILL");
});
afterAll(() => {
  for (const db of dbs.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(url: string) {
  const db = createDb({ url, busyTimeoutMs: 5000 });
  dbs.push(db);
  return db;
}

async function start(env: Record<string, string>) {
  const s = await startServer({ CRON_SECRET, VIGIL_API_KEY: API_KEY, LOCAL_SCHEDULER: "false", ...env });
  servers.push(s);
  return s;
}

async function kill(s: ServerProcess) {
  s.child.kill("SIGKILL");
  expect(await s.exited).toBeNull();
}

describe("SIGKILL during a burst of webhooks", () => {
  it("every acknowledged event is stored; the rest are stored once when the sender retries", async () => {
    const url = `file:${join(dir, "burst.db")}`;
    const env = { TURSO_DATABASE_URL: url, WEBHOOK_SECRET };
    let server = await start(env);
    const total = 3000;
    const requests = Array.from({ length: total }, (_, i) => ({
      id: `msg_burst_${i}`,
      body: { type: "message.received", occurred_at: new Date().toISOString(), conversation_id: `c${i}` },
    }));
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    // 50 senders in parallel; the server is killed once 600 are acknowledged.
    const sender = async () => {
      while (next < total) {
        const r = requests[next++]!;
        try {
          const res = await fetch(`${server.baseUrl}/api/webhooks/bot`, signedRequest(r.body, { id: r.id }));
          if (res.status === 200) acknowledged.push(r.id);
          await res.arrayBuffer();
        } catch {
          // The connection died with the process: not acknowledged, the sender will retry.
        }
        if (acknowledged.length >= 600 && !killed) {
          killed = true;
          await kill(server);
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, sender));
    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(600);
    expect(acknowledged.length).toBeLessThan(total);

    // Nothing acknowledged was lost with the process.
    const db = open(url);
    const stored = await db.execute({
      sql: "SELECT COUNT(*) AS n FROM webhook_events WHERE dedupe_key IN (SELECT value FROM json_each(?))",
      args: [JSON.stringify(acknowledged)],
    });
    expect(Number(stored.rows[0]!.n)).toBe(acknowledged.length);

    // The sender retries everything it has no 2xx for (and, being careful, the rest too).
    server = await start(env);
    let duplicates = 0;
    for (let i = 0; i < total; i += 100) {
      const answers = await Promise.all(
        requests.slice(i, i + 100).map(async (r) => {
          const res = await fetch(`${server.baseUrl}/api/webhooks/bot`, signedRequest(r.body, { id: r.id }));
          expect(res.status).toBe(200);
          return (await res.json()) as { duplicate?: boolean };
        }),
      );
      duplicates += answers.filter((a) => a.duplicate).length;
    }
    const after = await db.execute("SELECT COUNT(*) AS n, COUNT(DISTINCT dedupe_key) AS d FROM webhook_events");
    expect(Number(after.rows[0]!.n)).toBe(total);
    expect(Number(after.rows[0]!.d)).toBe(total);
    expect(duplicates).toBeGreaterThanOrEqual(acknowledged.length);
    // The rollups, caught up from the mark as every reader does, agree with the rows.
    await catchUpRollups(db);
    const rolled = await db.execute("SELECT SUM(value) AS n FROM webhook_rollups WHERE metric = 'accepted'");
    expect(Number(rolled.rows[0]!.n)).toBe(total);
  }, 90_000);
});

describe("SIGKILL in the middle of a monitor cycle", () => {
  let langfuse: FakeLangfuse;
  let openai: FakeOpenAI;
  afterEach(async () => {
    await langfuse?.close();
    await openai?.close();
  });

  it("after a restart every session is analysed exactly once", async () => {
    langfuse = await startFakeLangfuse({ version: "v4" });
    openai = await startFakeOpenAI({ script: fixtureJudge(), latencyMs: 150 });
    const judged = FIXTURES.filter((f) => f.session !== false);
    const sessions = 40;
    const begin = Date.now() - 60 * 60_000;
    for (let i = 0; i < sessions; i++)
      langfuse.add(...fixtureObservations(judged[i % judged.length]!, begin + i * 1000, { sessionId: `kill-${i}` }));

    const url = `file:${join(dir, "monitor.db")}`;
    const env = {
      TURSO_DATABASE_URL: url,
      LANGFUSE_PUBLIC_KEY: langfuse.publicKey,
      LANGFUSE_SECRET_KEY: langfuse.secretKey,
      LANGFUSE_BASE_URL: langfuse.url,
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: openai.baseURL,
      MONITOR_CONCURRENCY: "2",
      // Leases (the job's and each session claim's) expire 10 s after a crash. Calls must fit in
      // that short cycle: a call only starts with its timeout (or 5 s) left before the deadline.
      CRON_MAX_DURATION_SECONDS: "10",
      LANGFUSE_TIMEOUT_SECONDS: "2",
      MODEL_TIMEOUT_SECONDS: "3",
      DIAGNOSES_PER_CYCLE: "0",
    };
    const db = open(url);
    const verdictCount = async () => Number((await db.execute("SELECT COUNT(*) AS n FROM monitoring_results")).rows[0]!.n);

    let server = await start(env);
    const cycle = fetch(`${server.baseUrl}/api/cron/monitor`, { headers: { authorization: `Bearer ${CRON_SECRET}` } }).catch(
      (e: Error) => e,
    );
    await waitFor(async () => ((await verdictCount()) >= 5 ? true : undefined), 20_000, "the first verdicts");
    await kill(server);
    expect(await cycle).toBeInstanceOf(Error);
    const atKill = await verdictCount();
    expect(atKill).toBeLessThan(sessions);

    server = await start(env);
    const runCycle = async () => {
      const res = await fetch(`${server.baseUrl}/api/cron/monitor`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    // Until the dead cycle's leases expire, nothing it held is taken twice.
    const deadline = Date.now() + 60_000;
    while ((await verdictCount()) < sessions && Date.now() < deadline) {
      await runCycle();
      await new Promise((r) => setTimeout(r, 500));
    }
    const rows = await db.execute("SELECT session_id, COUNT(*) AS n FROM monitoring_results GROUP BY session_id");
    expect(rows.rows).toHaveLength(sessions);
    expect(rows.rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    // The killed run is on record as a failure, closed by the run after it.
    const killedRuns = await db.execute({
      sql: "SELECT COUNT(*) AS n FROM job_runs WHERE job = 'monitor' AND status = 'error' AND error = ?",
      args: [ABANDONED_RUN_ERROR],
    });
    expect(Number(killedRuns.rows[0]!.n)).toBe(1);
    // One score set per session in Langfuse, written under deterministic ids.
    expect(new Set([...langfuse.scores.values()].map((s) => s.sessionId)).size).toBe(sessions);
  }, 120_000);
});
