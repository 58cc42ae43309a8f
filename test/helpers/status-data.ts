import type { App } from "../../src/app.js";
import type { Db } from "../../src/db/client.js";
import type { Env } from "../../src/env.js";
import { RECOUNT_MONITORING_HOURLY } from "../../src/db/migrations/0009-monitoring-hourly.js";
import type { TestClock } from "./deps.js";
import { H } from "./stability.js";
import { storeEvent, storeExchange } from "../stability/factories.js";
import { storeRun, storeRunEnd } from "../runs/factories.js";

export const XSS = `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">`;

/** A day of traffic, verdicts and runs, ending at the clock's time; one summary is hostile HTML. */
export async function seedDay(_app: App, deps: { db: Db; env: Env; testClock: TestClock }) {
  const { db, testClock: clock } = deps;
  const end = clock.now();
  const start = end - 24 * H + 60_000;
  for (let at = start; at < end; at += 20 * 60_000) await storeExchange(deps, at, at > end - 3 * H ? 12_000 : 1500);
  await storeEvent(deps, end - 2 * H, { type: "error", error: { type: "send_failed" } });
  const statuses = ["pass", "pass", "fail", "partial", "pass", "fail"];
  for (let i = 0; i < statuses.length; i++) {
    await db.execute({
      sql: `INSERT INTO monitoring_results (session_id, activity_version, intent_type, verification_status, verdict_summary, analyzed_at, diagnostic_status, diagnostic_report_json)
            VALUES (?, 1, 'book', ?, ?, ?, ?, ?)`,
      args: [
        `conv-${i}`,
        statuses[i]!,
        i === 2 ? XSS : `summary ${i}`,
        end - (i + 1) * H,
        statuses[i] === "pass" ? null : "complete",
        statuses[i] === "pass" ? null : JSON.stringify({ category: "tool_error" }),
      ],
    });
  }
  await db.execute(RECOUNT_MONITORING_HOURLY);
  clock.set(end - 5 * H);
  const runs = { db, clock: clock.now };
  await storeRun(runs, { sessionId: "deploy-9", taskDescription: `Deploy ${XSS}`, totalTasks: 2 });
  await storeRunEnd(runs, "deploy-9", { status: "failed", completedTasks: 0, failedTasks: 2 });
  clock.set(end);
}
