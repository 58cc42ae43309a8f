import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { depsFromEnv } from "../../src/deps.js";
import { startFakeLangfuse, type FakeLangfuse } from "../../fakes/langfuse-server.js";
import { startFakeOpenAI, type FakeOpenAI } from "../../fakes/openai-server.js";
import { startFakeSlack, type FakeSlack } from "../../fakes/slack-server.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import { createTestDb, remoteTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, captureLogs, cronAuth, testClock, testEnv } from "../helpers/deps.js";
import { fakeServicesEnv } from "../helpers/monitoring.js";
import { fixtureJudge } from "../../fixtures/judge.js";
import { call } from "../helpers/runs.js";
import { signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

// Guarantee: Vercel may deliver a cron more than once and the three crons overlap. Over
// 4.5 hours of simulated time with every due cron fired 10 times at once, all three
// together, webhooks arriving (some twice), conversations finishing and Slack failing now and
// then, each job runs once per due time and nothing is done twice: no duplicate verdict,
// checkpoint, event or notification, and every notification is delivered exactly once.

const MIN = 60_000;
const START = Date.UTC(2026, 10, 23, 0, 0, 0);
const STEPS = 270;

let t: TestDb;
let langfuse: FakeLangfuse;
let openai: FakeOpenAI;
let slack: FakeSlack;
let app: App;
const clock = testClock(START);

beforeAll(async () => {
  t = await createTestDb();
  langfuse = await startFakeLangfuse({ version: "v4", now: clock.now });
  openai = await startFakeOpenAI({ script: fixtureJudge(), latencyMs: 5 });
  slack = await startFakeSlack();
  const env = testEnv({ WEBHOOK_SECRET, SLACK_WEBHOOK_URL: slack.url, ...fakeServicesEnv(langfuse, openai) });
  app = createApp(depsFromEnv(env, { db: t.db, log: captureLogs().logger, clock: clock.now }));
});
afterAll(async () => {
  await langfuse.close();
  await openai.close();
  await slack.close();
  t.cleanup();
});

async function fire(job: string) {
  const res = await app.request(`/api/cron/${job}`, { headers: cronAuth });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const rows = async (sql: string) => (await t.db.execute(sql)).rows;
const one = async (sql: string) => Number((await rows(sql))[0]!.n);

describe("every cron fired 10 times at once, all three together, for 4.5 simulated hours", () => {
  it(
    "runs each job once per due time and does nothing twice",
    async () => {
      const judged = FIXTURES.filter((f) => f.session !== false);
      const sent = new Set<string>();
      let sessions = 0;
      const answers: { job: string; status: number; skipped: boolean }[] = [];

      for (let step = 0; step < STEPS; step++) {
        const now = START + step * MIN;
        clock.set(now);
        // Traffic of this minute: three events, the first of them delivered twice.
        for (let i = 0; i < 3; i++) {
          const id = `msg_${step}_${i}`;
          sent.add(id);
          const type = ["message.received", "message.processed", "response.sent"][i]!;
          const deliveries = i === 0 ? 2 : 1;
          for (let d = 0; d < deliveries; d++) {
            const res = await app.request(
              "/api/webhooks/bot",
              signedRequest(
                { type, occurred_at: new Date(now).toISOString(), latency_ms: 900 },
                { id, timestampSeconds: Math.floor(now / 1000) },
              ),
            );
            expect(res.status).toBe(200);
          }
        }
        // A bad signature every hour beside the steady sender: probing (a warning in the report), no page.
        if (step % 60 === 30)
          await app.request(
            "/api/webhooks/bot",
            signedRequest({ type: "message.received" }, { secret: "whsec_d3Jvbmc=", timestampSeconds: Math.floor(now / 1000) }),
          );
        // Slack fails for a while now and then.
        if (step % 45 === 31) slack.script.push({ status: 500 }, { status: 429, headers: { "retry-after": "60" } });
        // A conversation finishes every 10 minutes.
        if (step % 10 === 0)
          langfuse.add(...fixtureObservations(judged[sessions % judged.length]!, now, { sessionId: `storm-${sessions++}` }));

        // Runs: one fails, one stalls (no progress for STALL_MINUTES).
        if (step === 10) await call(app, "POST", "/api/runs", { sessionId: "storm-run-failed", taskDescription: "deploy", totalTasks: 2 });
        if (step === 20)
          await call(app, "POST", "/api/runs/storm-run-failed/complete", { status: "failed", completedTasks: 1, failedTasks: 1 });
        if (step === 30)
          await call(app, "POST", "/api/runs", { sessionId: "storm-run-stalled", taskDescription: "migrate", totalTasks: 5 });

        const due = ["heartbeat", ...(step % 5 === 0 ? ["monitor"] : []), ...(step % 240 === 0 ? ["checkpoint"] : [])];
        const results = await Promise.all(due.flatMap((job) => Array.from({ length: 10 }, async () => ({ job, ...(await fire(job)) }))));
        for (const r of results) {
          expect(r.status, `${r.job} at step ${step}: ${JSON.stringify(r.body)}`).toBe(200);
          answers.push({ job: r.job, status: r.status, skipped: r.body.skipped === "locked" });
        }
        // Exactly one of the ten ran each due job.
        for (const job of due)
          expect(
            results.filter((r) => r.job === job && r.body.skipped !== "locked"),
            `${job} at step ${step}`,
          ).toHaveLength(1);
      }

      // Each job ran once per due time, and its runs are recorded once.
      const ran = await rows("SELECT job, COUNT(*) AS n FROM job_runs WHERE status = 'ok' GROUP BY job ORDER BY job");
      expect(Object.fromEntries(ran.map((r) => [r.job, Number(r.n)]))).toEqual({ checkpoint: 2, heartbeat: STEPS, monitor: STEPS / 5 });

      // Webhooks: every event once, duplicates acknowledged and not stored.
      expect(await one("SELECT COUNT(*) AS n FROM webhook_events")).toBe(sent.size);
      expect(await one("SELECT SUM(value) AS n FROM webhook_rollups WHERE metric = 'accepted'")).toBe(sent.size);

      // Conversations: one verdict per session that finished (all but the last few), one intent call each.
      const verdicts = await rows(
        "SELECT session_id, activity_version, COUNT(*) AS n FROM monitoring_results GROUP BY session_id, activity_version",
      );
      expect(verdicts.filter((r) => Number(r.n) > 1)).toEqual([]);
      expect(verdicts.length).toBeGreaterThanOrEqual(sessions - 2);
      expect(openai.calls.filter((c) => c.task === "intent")).toHaveLength(verdicts.length);

      // Run events: each once, though ten heartbeats looked for them every minute.
      const events = await rows("SELECT type, subject, COUNT(*) AS n FROM events GROUP BY type, subject ORDER BY type");
      expect(events.filter((e) => Number(e.n) > 1)).toEqual([]);
      expect(events.map((e) => `${e.type} ${e.subject}`)).toEqual(
        expect.arrayContaining(["run_failed storm-run-failed", "run_stalled storm-run-stalled"]),
      );

      // Checkpoints: the window before the start and the first 4 hours, each closed once.
      const checkpoints = await rows(
        "SELECT window_start, COUNT(*) AS n FROM stability_checkpoints GROUP BY window_start ORDER BY window_start",
      );
      expect(checkpoints.map((r) => [Number(r.window_start), Number(r.n)])).toEqual([
        [START - 4 * 60 * MIN, 1],
        [START, 1],
      ]);

      // Notifications: each delivered once, and Slack received exactly those.
      // (Alerts of one rule that fire together share a group key and go out as one message.)
      const notes = await rows("SELECT id, alert_id, kind, group_key, sent_at FROM notifications WHERE channel = 'slack'");
      expect(notes.length).toBeGreaterThan(0);
      expect(notes.filter((n) => n.sent_at === null)).toEqual([]);
      expect(slack.received).toHaveLength(new Set(notes.map((n) => n.group_key)).size);
      const keys = notes.map((n) => `${n.alert_id}:${n.kind}:${n.group_key}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(slack.attempts).toBeGreaterThan(slack.received.length);

      // The API agrees: one firing signature alert at a time, never two for the same key.
      const alerts = await (await app.request("/api/alerts", { headers: apiAuth })).json();
      const open = (alerts.alerts as { rule: string; state: string; labels: unknown }[]).filter((a) => a.state === "firing");
      const openKeys = open.map((a) => `${a.rule}:${JSON.stringify(a.labels)}`);
      expect(new Set(openKeys).size).toBe(openKeys.length);
    },
    remoteTestDb ? 600_000 : 120_000,
  );
});
