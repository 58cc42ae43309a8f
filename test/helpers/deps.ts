import { defaultRules } from "../../src/alerts/rules.js";
import type { Db } from "../../src/db/client.js";
import type { Deps } from "../../src/deps.js";
import { parseEnv, type Env } from "../../src/env.js";
import { createLogger, type Logger } from "../../src/log.js";
import { settingsFromEnv } from "../../src/settings.js";
import { thresholdsFrom } from "../../src/settings.js";
import { tapLogLine } from "./log-tap.js";

export const CRON_SECRET = "test-cron-secret-0123456789";
export const API_KEY = "test-api-key-0123456789abcdef";

export const cronAuth = { authorization: `Bearer ${CRON_SECRET}` };
export const apiAuth = { authorization: `Bearer ${API_KEY}` };

export function testEnv(overrides: Record<string, string | undefined> = {}): Env {
  return parseEnv({ CRON_SECRET, VIGIL_API_KEY: API_KEY, LOG_LEVEL: "debug", ...overrides });
}

export interface CapturedLogs {
  logger: Logger;
  records(): Record<string, unknown>[];
  text(): string;
}

/** A real logger whose lines are kept for assertions instead of printed. */
export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  return {
    logger: createLogger({
      level: "debug",
      sink: (line) => {
        lines.push(line);
        tapLogLine(line);
      },
    }),
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join("\n"),
  };
}

export interface TestClock {
  now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function testClock(start = Date.UTC(2026, 10, 23, 12, 0, 0)): TestClock {
  let t = start;
  return { now: () => t, set: (ms) => void (t = ms), advance: (ms) => void (t += ms) };
}

export function testDeps(options: {
  db: Db;
  env?: Env;
  clock?: TestClock;
  logs?: CapturedLogs;
  webhookRateLimiter?: Deps["webhookRateLimiter"];
  monitoring?: Deps["monitoring"];
  alerts?: Deps["alerts"];
}): Deps & {
  logs: CapturedLogs;
  testClock: TestClock;
  /** The configuration the settings were built from, for a test that builds more from it. */
  env: Env;
} {
  const logs = options.logs ?? captureLogs();
  const clock = options.clock ?? testClock();
  const env = options.env ?? testEnv();
  return {
    env,
    settings: settingsFromEnv(env),
    db: options.db,
    log: logs.logger,
    clock: clock.now,
    functionDeadline: () => undefined,
    webhookRateLimiter: options.webhookRateLimiter,
    monitoring: options.monitoring,
    // Console only by default: tests that need Slack or webhooks pass their channels.
    // The rules take their thresholds from the env, as depsFromEnv builds them.
    alerts: options.alerts ?? {
      rules: defaultRules({ fulfillmentFailureRate: env.FULFILLMENT_FAILURE_RATE, stability: thresholdsFrom(env) }),
      channels: { console: async () => {} },
    },
    logs,
    testClock: clock,
  };
}
