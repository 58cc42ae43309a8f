import { depsFromEnv } from "../../src/deps.js";
import { runMonitorCycle } from "../../src/monitoring/cycle.js";
import { startFakeLangfuse, type FakeLangfuse } from "../../fakes/langfuse-server.js";
import { startFakeOpenAI, type FakeOpenAI, type ModelTraits, type ScriptedReply } from "../../fakes/openai-server.js";
import { fixtureJudge } from "../../fixtures/judge.js";
import { createTestDb, type TestDb } from "./db.js";
import { captureLogs, testClock, testEnv } from "./deps.js";

/**
 * The variables that point the real SDKs at the local fakes. Their timeouts run on real time, which
 * the test clock does not hold: 2 s timed out 20 ms calls on a machine loaded ~15 on 2 cores, and
 * sessions went to their retry. Past the test's own timeout, they cannot fire in a test not about them.
 */
export function fakeServicesEnv(langfuse: FakeLangfuse, openai: FakeOpenAI): Record<string, string> {
  return {
    LANGFUSE_PUBLIC_KEY: langfuse.publicKey,
    LANGFUSE_SECRET_KEY: langfuse.secretKey,
    LANGFUSE_BASE_URL: langfuse.url,
    LANGFUSE_TIMEOUT_SECONDS: "60",
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.baseURL,
    MODEL_TIMEOUT_SECONDS: "60",
  };
}

/** For tests of a call that hangs past its timeout (the fakes' hangMs/delayMs 2500). */
export const SHORT_TIMEOUTS = { LANGFUSE_TIMEOUT_SECONDS: "2", MODEL_TIMEOUT_SECONDS: "2" };

export interface MonitoringWorld {
  t: TestDb;
  langfuse: FakeLangfuse;
  openai: FakeOpenAI;
  deps: ReturnType<typeof depsFromEnv>;
  logs: ReturnType<typeof captureLogs>;
  clock: ReturnType<typeof testClock>;
  cycle(): ReturnType<typeof runMonitorCycle>;
  close(): Promise<void>;
}

/** A real database, the real SDKs, and local Langfuse and OpenAI servers, wired as production wires them. */
export async function monitoringWorld(
  options: {
    version?: "v4" | "v3";
    script?: (task: string, user: string) => ScriptedReply | Promise<ScriptedReply>;
    latencyMs?: number;
    env?: Record<string, string>;
    /** Langfuse Cloud's per-minute limits (by the test clock); none: self-hosted. */
    limits?: Parameters<typeof startFakeLangfuse>[0]["limits"];
    traits?: ModelTraits;
    /** The platform's deadline for the invocation, in test-clock time. */
    functionDeadline?: () => number | undefined;
    /** The test clock also moves with real time (for time-budget tests). */
    live?: boolean;
  } = {},
): Promise<MonitoringWorld> {
  const t = await createTestDb();
  const clock = options.live ? liveClock() : testClock();
  const langfuse = await startFakeLangfuse({ version: options.version ?? "v4", now: clock.now, limits: options.limits });
  const openai = await startFakeOpenAI({ script: options.script ?? fixtureJudge(), latencyMs: options.latencyMs, traits: options.traits });
  const logs = captureLogs();
  const env = testEnv({ ...fakeServicesEnv(langfuse, openai), ...options.env });
  const deps = depsFromEnv(env, {
    db: t.db,
    log: logs.logger,
    clock: clock.now,
    functionDeadline: options.functionDeadline ?? (() => undefined),
  });
  return {
    t,
    langfuse,
    openai,
    deps,
    logs,
    clock,
    cycle: () => runMonitorCycle(deps, clock.now()),
    async close() {
      await langfuse.close();
      await openai.close();
      t.cleanup();
    },
  };
}

/** A test clock that also moves with real time. */
function liveClock(): ReturnType<typeof testClock> {
  const base = testClock();
  const t0 = performance.now();
  return {
    now: () => base.now() + Math.round(performance.now() - t0),
    set: (ms) => base.set(ms - Math.round(performance.now() - t0)),
    advance: base.advance,
  };
}

export async function verdicts(world: MonitoringWorld) {
  const rs = await world.t.db.execute(
    "SELECT session_id, verification_status, intent_type, activity_version, diagnostic_status, error FROM monitoring_results ORDER BY id",
  );
  return rs.rows.map((r) => ({ ...r }) as Record<string, any>);
}
