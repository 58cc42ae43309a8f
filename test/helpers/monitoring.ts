import { depsFromEnv } from "../../src/deps.js";
import { runMonitorCycle } from "../../src/monitoring/cycle.js";
import { startFakeLangfuse, type FakeLangfuse } from "../../fakes/langfuse-server.js";
import { startFakeOpenAI, type FakeOpenAI, type ModelTraits, type ScriptedReply } from "../../fakes/openai-server.js";
import { FIXTURES, type Fixture } from "../fixtures/conversations.js";
import { firstCallerLine } from "../fixtures/to-observations.js";
import { createTestDb, type TestDb } from "./db.js";
import { captureLogs, testClock, testEnv } from "./deps.js";

/** What the bot said last: quotable evidence. */
const lastBotLine = (f: Fixture) => f.turns.findLast((t) => t.startsWith("B:"))!.slice(2);

/** The scripted judge: it recognises each fixture and answers its known labels. */
export function fixtureJudge(fixtures: Fixture[] = FIXTURES) {
  return (task: string, user: string): ScriptedReply => {
    const f = fixtures.find((x) => user.includes(firstCallerLine(x)));
    if (!f) return { json: { intent: "unknown", confidence: 0.1, summary: "no request" } };
    if (task === "intent")
      return { json: { intent: f.intent, confidence: f.intent === "unknown" ? 0.3 : 0.93, summary: `caller wants to ${f.intent}` } };
    if (task === "fulfillment") {
      return {
        json: {
          status: f.verdict === "skipped" ? "fail" : f.verdict,
          summary: `${f.id}: ${f.verdict}`,
          evidence: [lastBotLine(f)],
          unmet: f.verdict === "pass" ? [] : ["request not completed"],
          quality: {
            wrong_language: f.id === "info-fail-lang",
            off_topic: false,
            repetitive: f.id === "info-fail-1",
            failed_to_answer: f.verdict === "fail",
            harmful: false,
          },
          facts: fixtureFacts(f),
        },
      };
    }
    return {
      json: {
        category: f.category ?? "other",
        explanation: `root cause of ${f.id}`,
        evidence: ["turn 2"],
        suggested_fix: "fix it",
        severity: "medium",
      },
    };
  };
}

/** What a careful judge reads from the tool results: the booked slot and its confirmation number. */
function fixtureFacts(f: Fixture) {
  const booking = f.turns
    .filter((t) => t.startsWith("T:book_appointment|") || t.startsWith("T:reschedule_appointment|"))
    .map((t) => t.split("|"))
    .find(([, , result]) => result?.includes('"confirmation"'));
  if (!booking) return { booked_at: null, confirmation_number: null, caller_name: null };
  const args = JSON.parse(booking[1]!) as { slot?: string; to?: string };
  return {
    booked_at: args.slot ?? args.to ?? null,
    confirmation_number: (JSON.parse(booking[2]!) as { confirmation: string }).confirmation,
    caller_name: null,
  };
}

/** The variables that point the real SDKs at the local fakes, with short timeouts for tests. */
export function fakeServicesEnv(langfuse: FakeLangfuse, openai: FakeOpenAI): Record<string, string> {
  return {
    LANGFUSE_PUBLIC_KEY: langfuse.publicKey,
    LANGFUSE_SECRET_KEY: langfuse.secretKey,
    LANGFUSE_BASE_URL: langfuse.url,
    LANGFUSE_TIMEOUT_SECONDS: "2",
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.baseURL,
    MODEL_TIMEOUT_SECONDS: "2",
  };
}

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
