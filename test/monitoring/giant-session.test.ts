import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeLangfuse, type FakeLangfuse, type FakeObservation } from "../../fakes/langfuse-server.js";
import { startFakeOpenAI, type FakeOpenAI } from "../../fakes/openai-server.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { CRON_SECRET, API_KEY } from "../helpers/deps.js";
import { tapLogLine } from "../helpers/log-tap.js";
import { fakeServicesEnv } from "../helpers/monitoring.js";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const OBSERVATIONS = 6_000;
const HEAP_MB = 256;

const src = (path: string) => JSON.stringify(pathToFileURL(resolve("src", path)).href);
// One monitor cycle in a process of its own with Vercel-sized memory; prints its summary and peak RSS.
const CHILD = `
const { parseEnv } = await import(${src("env.ts")});
const { depsFromEnv } = await import(${src("deps.ts")});
const { createDb } = await import(${src("db/client.ts")});
const { createLogger } = await import(${src("log.ts")});
const { runMonitorCycle } = await import(${src("monitoring/cycle.ts")});
const input = JSON.parse(process.argv.at(-1));
const db = createDb({ url: input.url, busyTimeoutMs: 5000 });
const log = createLogger({ level: "info", sink: (line) => process.stdout.write(line + "\\n") });
const env = parseEnv(input.env);
// Import only: no analysis slot (below what the setting accepts, as the tests' import-only cycles do).
if (input.importOnly) env.MONITOR_CONCURRENCY = 0;
const deps = depsFromEnv(env, { db, log, clock: () => input.now, functionDeadline: () => undefined });
const summary = await runMonitorCycle(deps, input.now);
process.stdout.write(JSON.stringify({ result: summary, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\\n");
db.close();
`;

function cycleInChild(env: Record<string, string>, url: string, now: number, importOnly: boolean) {
  const child = spawn(
    process.execPath,
    [
      `--max-old-space-size=${HEAP_MB}`,
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      CHILD,
      JSON.stringify({ env, url, now, importOnly }),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => void (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => void (err += c));
  return new Promise<{ code: number | null; result?: Record<string, unknown>; peakRssMb?: number; err: string }>((done) =>
    child.on("close", (code) => {
      const lines = out.split("\n").filter(Boolean);
      for (const line of lines) tapLogLine(line);
      const last = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => "result" in l);
      done({ code, err: err.slice(-2000), ...(last as object) });
    }),
  );
}

let t: TestDb;
let langfuse: FakeLangfuse;
let openai: FakeOpenAI;
beforeAll(async () => {
  t = await createTestDb();
  langfuse = await startFakeLangfuse({ version: "v4", now: () => T0 + 20 * MIN });
  openai = await startFakeOpenAI({
    script: (task) =>
      task === "intent"
        ? { json: { intent: "book", confidence: 0.9, summary: "caller wants to book" } }
        : {
            json: {
              status: "pass",
              summary: "booked",
              evidence: ["Booked you for 10:30 (confirmation 5999)."],
              unmet: [],
              quality: { wrong_language: false, off_topic: false, repetitive: false, failed_to_answer: false, harmful: false },
              facts: { booked_at: null, confirmation_number: null, caller_name: null },
            },
          },
  });
  // A call of 6,000 generations, ~34 KB of I/O each (~207 MB): what a long voice session fills.
  const pad = "lorem ipsum dolor sit amet ".repeat(630);
  const observations: FakeObservation[] = [];
  for (let i = 0; i < OBSERVATIONS; i++)
    observations.push({
      id: `g-${String(i).padStart(5, "0")}`,
      traceId: `gt-${Math.floor(i / 20)}`,
      sessionId: "giant",
      traceName: "bot-turn",
      tags: [],
      name: "reply",
      type: "GENERATION",
      startTime: T0 + i * 10,
      level: "DEFAULT",
      statusMessage: null,
      input: [{ role: "user", content: `Turn ${i}: ${pad}` }],
      output: { role: "assistant", content: i === OBSERVATIONS - 1 ? "Booked you for 10:30 (confirmation 5999)." : `Noted ${i}. ${pad}` },
    });
  langfuse.add(...observations);
}, 60_000);
afterAll(async () => {
  await langfuse.close();
  await openai.close();
  t.cleanup();
});

describe("bounded memory", () => {
  it(`a ${OBSERVATIONS.toLocaleString("en")}-observation session (~207 MB of I/O) is imported and judged under a ${HEAP_MB} MB heap`, async () => {
    const env = { CRON_SECRET, VIGIL_API_KEY: API_KEY, ...fakeServicesEnv(langfuse, openai), LANGFUSE_TIMEOUT_SECONDS: "20" };
    // Each cycle in a fresh capped process: the import until it has caught up, then the judging.
    const imports = [];
    for (let i = 0; i < 6; i++) {
      const run = await cycleInChild(env, t.url, T0 + (20 + i) * MIN, true);
      imports.push(run);
      expect(run.code, run.err).toBe(0);
      if ((run.result?.langfuse as { caughtUp?: boolean } | undefined)?.caughtUp) break;
    }
    const judging = await cycleInChild(env, t.url, T0 + 30 * MIN, false);
    expect(judging.code, judging.err).toBe(0);
    console.log(
      `[figure] ${OBSERVATIONS} observations, heap cap ${HEAP_MB} MB: imported in ${imports.length} cycle(s), peak RSS ${imports.map((r) => r.peakRssMb)} MB; judged, peak RSS ${judging.peakRssMb} MB`,
    );
    expect(imports.map((r) => r.result?.imported)).toEqual([OBSERVATIONS]);
    expect(judging.result).toMatchObject({ sessionsChecked: 1, passed: 1 });
    const judged = await t.db.execute("SELECT verification_status FROM monitoring_results WHERE session_id = 'giant'");
    expect(judged.rows.map((r) => r.verification_status)).toEqual(["pass"]);
    // The judge saw the conversation's start and its end, within its budget.
    const fulfillment = openai.calls.find((c) => c.task === "fulfillment")!;
    expect(fulfillment.user).toContain("Turn 0:");
    expect(fulfillment.user).toContain("confirmation 5999");
    expect(fulfillment.user.length).toBeLessThan(40_000);
  }, 180_000);
});
