import { rmSync } from "node:fs";
import { join } from "node:path";
import { createVigilClient } from "../src/client/vigil-client.js";
import { parseEnv } from "../src/env.js";
import { generateSecret } from "../src/server/local-secrets.js";
import { startLocalServer } from "../src/server/start-server.js";
import { sendExchange } from "./bot.js";
import { recordHistory } from "./history.js";
import { startFakeLangfuse } from "../fakes/langfuse-server.js";
import { startFakeOpenAI } from "../fakes/openai-server.js";
import { simulateRun } from "./pipeline.js";
import { sleep } from "../src/shared/sleep.js";
import { type Fixture, FIXTURES } from "../fixtures/conversations.js";
import { fixtureJudge } from "../fixtures/judge.js";
import { fixtureObservations } from "../fixtures/to-observations.js";

const SEC = 1000;

export interface DemoOptions {
  dataDir: string;
  port: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /**
   * Tests step the demo's clock instead: each turn of the loop moves it by this many ms and waits
   * for everything due (crons included) to finish, so the result never depends on machine load.
   */
  stepMs?: number;
}

export interface Demo {
  baseUrl: string;
  apiKey: string;
  /** The demo's time: the wall clock, or the stepped clock of a test. */
  clock: () => number;
  startedAt: number;
  counts: { exchanges: number; conversations: number; runs: number };
  stop(): Promise<void>;
}

/**
 * `npm run demo`: Vigil on a fresh database with everything it watches simulated — a bot sending
 * signed events, a Langfuse with conversations arriving, a scripted judge, an agent pipeline —
 * and the crons fired often enough that every part of /status fills within two minutes.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  let stepped = Date.now();
  const clock = options.stepMs ? () => stepped : () => Date.now();
  // The labelled conversations \`npm run eval\` and the tests judge: the demo's judge answers their labels.
  const conversations = FIXTURES;
  const history = conversations.slice(0, 12);
  const live = conversations.slice(12);
  // The same fakes the tests and the bench run against, so the demo sees what they see.
  const langfuse = await startFakeLangfuse({ version: "v4", now: clock, keys: { publicKey: "pk-lf-demo", secretKey: "sk-lf-demo-local" } });
  const judge = await startFakeOpenAI({ script: fixtureJudge({ prose: true }), apiKey: "sk-demo-judge" });
  // As a traced bot writes them: priced, always in a session, ended by a hang-up.
  const addConversation = (c: Fixture, start: number) =>
    langfuse.add(...fixtureObservations(c, start, { alwaysSession: true, priced: true, endMarker: true }));

  const dbFile = join(options.dataDir, "demo.db");
  for (const suffix of ["", "-wal", "-shm"]) rmSync(dbFile + suffix, { force: true });
  const secrets = {
    VIGIL_API_KEY: generateSecret("VIGIL_API_KEY"),
    WEBHOOK_SECRET: generateSecret("WEBHOOK_SECRET"),
    CRON_SECRET: generateSecret("CRON_SECRET"),
  };
  const env = parseEnv({
    ...secrets,
    PORT: String(options.port),
    LOG_LEVEL: options.logLevel,
    TURSO_DATABASE_URL: `file:${dbFile}`,
    VIGIL_DATA_DIR: options.dataDir,
    LOCAL_SCHEDULER: "false",
    LANGFUSE_PUBLIC_KEY: langfuse.publicKey,
    LANGFUSE_SECRET_KEY: langfuse.secretKey,
    LANGFUSE_BASE_URL: langfuse.url,
    OPENAI_API_KEY: judge.apiKey,
    OPENAI_BASE_URL: judge.baseURL,
    JUDGE_MODEL: "demo-scripted-judge",
    STALL_MINUTES: "1",
    // The demo's Langfuse serves what it is sent at once: no read lag to wait out.
    MONITOR_OVERLAP_MINUTES: "0",
  });
  const server = await startLocalServer({ ...env, CRON_SECRET: secrets.CRON_SECRET }, { clock });
  const counts = { exchanges: 0, conversations: history.length, runs: 0 };
  const recorded = await recordHistory({
    deps: server.deps,
    now: clock(),
    secret: secrets.WEBHOOK_SECRET,
    apiKey: secrets.VIGIL_API_KEY,
    addConversation,
    conversations: history,
  });
  counts.runs = recorded.runs;

  const target = { url: server.baseUrl, source: "whatsapp-bot", secret: secrets.WEBHOOK_SECRET };
  const client = createVigilClient({ url: server.baseUrl, apiKey: secrets.VIGIL_API_KEY, retries: 1 });
  const inFlight = new Set<Promise<unknown>>();
  const background = (p: Promise<unknown>) => {
    // Stepped, a cron finishes before time moves on.
    if (options.stepMs) return p.catch((error: unknown) => server.deps.log.warn("demo step failed", { err: error }));
    const tracked = p
      .catch((error: unknown) => server.deps.log.warn("demo step failed", { err: error }))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  // Each task runs every `every` demo-ms; crons go in the background like Vercel's would.
  const tasks: { every: number; next: number; run: () => unknown }[] = [
    { every: 4 * SEC, next: 0, run: () => sendExchange(target, counts.exchanges++, clock()) },
    {
      every: 4 * SEC,
      next: 2 * SEC,
      run: () =>
        void (
          counts.conversations < conversations.length && addConversation(live[counts.conversations++ - history.length]!, clock() - 30 * SEC)
        ),
    },
    { every: 20 * SEC, next: 5 * SEC, run: () => simulateRun(client, counts.runs++) },
    { every: 20 * SEC, next: 0, run: () => background(server.fire("/api/cron/heartbeat")) },
    { every: 15 * SEC, next: 1 * SEC, run: () => background(server.fire("/api/cron/monitor")) },
    { every: 4 * 3600 * SEC, next: 0, run: () => background(server.fire("/api/cron/checkpoint")) },
  ];
  const start = clock();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const now = clock() - start;
      for (const task of tasks) {
        if (stopped || now < task.next) continue;
        task.next = now + task.every;
        await task.run();
      }
      if (options.stepMs) stepped += options.stepMs;
      else await sleep(200);
    }
  })();

  return {
    baseUrl: server.baseUrl,
    apiKey: secrets.VIGIL_API_KEY,
    clock,
    startedAt: start,
    counts,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
      await server.stop();
      await Promise.all([langfuse.close(), judge.close()]);
    },
  };
}
