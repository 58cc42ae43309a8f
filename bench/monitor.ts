import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, prepareLocalDb } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";
import { depsFromEnv } from "../src/deps.js";
import { parseEnv } from "../src/env.js";
import { createLogger } from "../src/log.js";
import { runMonitorCycle } from "../src/monitoring/cycle.js";
import { startFakeLangfuse } from "../fakes/langfuse-server.js";
import { startFakeOpenAI } from "../fakes/openai-server.js";
import { FIXTURES } from "../fixtures/conversations.js";
import { fixtureObservations } from "../fixtures/to-observations.js";
import { fixtureJudge } from "../fixtures/judge.js";
import { fmt, table, type BenchResult } from "./lib.js";

const LATENCY_MS = 800;
const POOL = 16;

async function cycle(sessions: number, callsPerMinute: number) {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-monitor-"));
  const url = `file:${join(dir, "monitor.db")}`;
  const langfuse = await startFakeLangfuse({ version: "v4" });
  const openai = await startFakeOpenAI({ script: fixtureJudge(), latencyMs: LATENCY_MS });
  try {
    const judged = FIXTURES.filter((f) => f.session !== false);
    const start = Date.now() - 3600_000;
    for (let i = 0; i < sessions; i++)
      langfuse.add(...fixtureObservations(judged[i % judged.length]!, start + i * 100, { sessionId: `bench-${i}` }));
    const db = createDb({ url });
    await prepareLocalDb(db, url);
    await migrate(db);
    const env = parseEnv({
      LANGFUSE_PUBLIC_KEY: langfuse.publicKey,
      LANGFUSE_SECRET_KEY: langfuse.secretKey,
      LANGFUSE_BASE_URL: langfuse.url,
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: openai.baseURL,
      MONITOR_CONCURRENCY: String(POOL),
      // Throughput, not the spend guard: every session may be judged in the cycle.
      MONITOR_MAX_SESSIONS_PER_CYCLE: String(sessions),
      MODEL_CALLS_PER_MINUTE: String(callsPerMinute),
      MODEL_TIMEOUT_SECONDS: "10",
      LOG_LEVEL: "error",
    });
    const deps = depsFromEnv(env, { db, log: createLogger({ level: "error" }) });
    const t0 = Date.now();
    const summary = await runMonitorCycle(deps, Date.now());
    const seconds = (Date.now() - t0) / 1000;
    db.close();
    const analysisCalls = openai.calls.filter((c) => c.task !== "diagnosis");
    const times = openai.calls.map((c) => c.at).sort((a, b) => a - b);
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 60_000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    return { summary, seconds, analysisCalls: analysisCalls.length, calls: openai.calls.length, peak, maxConcurrent: openai.maxConcurrent };
  } finally {
    await langfuse.close();
    await openai.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function monitorBenchmark(): Promise<BenchResult> {
  const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 2000);
  const free = await cycle(SESSIONS, 100_000);
  const checked = free.summary.sessionsChecked as number;
  // Each session takes one call (unknown intent) or two (intent, fulfillment): ideally the pool is
  // always busy with them. Diagnoses run one at a time by design, so they count in full.
  const diagnosisCalls = free.calls - free.analysisCalls;
  const idealSeconds = ((free.analysisCalls / POOL) * LATENCY_MS + diagnosisCalls * LATENCY_MS) / 1000;
  const efficiency = idealSeconds / free.seconds;
  const perMinute = (checked / free.seconds) * 60;
  const perCycle = Math.floor((checked / free.seconds) * 240);

  const R = 240;
  const limited = await cycle(Number(process.env.BENCH_LIMITED_SESSIONS ?? 150), R);
  return {
    title: "Monitor cycle throughput",
    lines: [
      `A local Langfuse (v4 API) holding ${SESSIONS} finished sessions and a model server answering every call after ${LATENCY_MS} ms; one monitor cycle with a pool of ${POOL}, real SDKs over loopback.`,
      "",
      ...table(
        ["run", "sessions analysed", "model calls", "time", "sessions/min", "ideal time", "of ideal", "peak calls in any 60 s"],
        [
          [
            "no rate limit",
            checked,
            free.calls,
            `${fmt(free.seconds)} s`,
            fmt(perMinute, 0),
            `${fmt(idealSeconds)} s`,
            `${fmt(efficiency * 100, 0)} %`,
            free.peak,
          ],
          [
            `limit ${R} calls/min`,
            limited.summary.sessionsChecked as number,
            limited.calls,
            `${fmt(limited.seconds)} s`,
            fmt(((limited.summary.sessionsChecked as number) / limited.seconds) * 60, 0),
            "–",
            "–",
            limited.peak,
          ],
        ],
      ),
      "",
      `Ideal time: analysis calls × 0.8 s ÷ ${POOL}, plus the ${diagnosisCalls} diagnoses × 0.8 s (one at a time by design). Backlog drained in ${fmt(free.seconds)} s (${free.summary.backlog} left). At this rate a 300 s cycle (240 s budget) analyses about ${perCycle.toLocaleString("en")} sessions. Highest concurrency the model server saw: ${free.maxConcurrent}.`,
    ],
    goals: [
      { goal: "≥ 85 % of ideal", met: efficiency >= 0.85, measured: `${fmt(efficiency * 100, 0)} %` },
      { goal: "≥ 1,000 sessions per 300 s cycle at pool 16", met: perCycle >= 1000, measured: perCycle.toLocaleString("en") },
      { goal: `peak ≤ ${R} calls/min under a ${R}/min limit`, met: limited.peak <= R, measured: String(limited.peak) },
    ],
  };
}
