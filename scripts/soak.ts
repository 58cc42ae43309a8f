// `npm run soak`: Vigil's real local server for SOAK_MINUTES (default 10) under a steady webhook
// load, its crons fired on an accelerated schedule, a flaky model, a Langfuse that fails now and
// then and a Slack that refuses the first notifications. Checks that nothing is lost or done twice, counts
// 5xx answers, samples the server's memory, and writes the figures into RELIABILITY.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { machine, startChild, stop, table } from "../bench/lib.js";
import { createDb } from "../src/db/client.js";
import { signStandardWebhook } from "../src/stability/signatures.js";
import { startFakeLangfuse } from "../fakes/langfuse-server.js";
import { startFakeOpenAI, type ScriptedReply } from "../fakes/openai-server.js";
import { startFakeSlack } from "../fakes/slack-server.js";
import { FIXTURES } from "../fixtures/conversations.js";
import { fixtureObservations } from "../fixtures/to-observations.js";
import { fixtureJudge } from "../fixtures/judge.js";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const WEBHOOKS_PER_SECOND = Number(process.env.SOAK_RATE ?? 40);
const SECRET = `whsec_${Buffer.from("soak-signing-secret-0123456789abcdef").toString("base64")}`;
const CRON_SECRET = "soak-cron-secret-0123456789";
const API_KEY = "soak-api-key-0123456789abcdef";

const dir = mkdtempSync(join(tmpdir(), "vigil-soak-"));
const dbUrl = `file:${join(dir, "soak.db")}`;

// Injected faults: every 20th model call fails one of four ways; Langfuse and Slack fail on a timer.
let modelCalls = 0;
const judge = fixtureJudge();
const modelFaults: ScriptedReply[] = [
  { status: 500 },
  { status: 429, headers: { "retry-after": "1" } },
  { status: 429 },
  { raw: "{not json" },
];
const injected = { model: 0, langfuse: 0, slack: 0, badSignatures: 0 };
const langfuse = await startFakeLangfuse({ version: "v4" });
const openai = await startFakeOpenAI({
  latencyMs: 150,
  script: (task, user) => {
    if (++modelCalls % 20 === 0) {
      injected.model++;
      return modelFaults[(modelCalls / 20) % modelFaults.length]!;
    }
    return judge(task, user);
  },
});
const slack = await startFakeSlack();

const server = await startChild("src/server/main.ts", {
  PORT: "0",
  TURSO_DATABASE_URL: dbUrl,
  LOCAL_SCHEDULER: "false",
  LOG_LEVEL: "info",
  CRON_SECRET,
  VIGIL_API_KEY: API_KEY,
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_RATE_LIMIT_PER_MINUTE: "100000",
  LANGFUSE_PUBLIC_KEY: langfuse.publicKey,
  LANGFUSE_SECRET_KEY: langfuse.secretKey,
  LANGFUSE_BASE_URL: langfuse.url,
  LANGFUSE_TIMEOUT_SECONDS: "5",
  OPENAI_API_KEY: openai.apiKey,
  OPENAI_BASE_URL: openai.baseURL,
  MODEL_TIMEOUT_SECONDS: "5",
  MONITOR_MAX_ATTEMPTS: "5",
  SLACK_WEBHOOK_URL: slack.url,
});
const pid = server.child.pid!;

const counts = {
  sent: 0,
  acknowledged: 0,
  duplicatesAcknowledged: 0,
  refused401: 0,
  other4xx: 0,
  fiveXx: 0,
  networkErrors: 0,
  cronCalls: 0,
  cronSkipped: 0,
  sessions: 0,
};
const acknowledgedIds = new Set<string>();
const rss: { at: number; kb: number }[] = [];
const started = Date.now();
const endAt = started + MINUTES * 60_000;
let running = true;

function rssKb(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0);
}

async function post(id: string, body: string, secret = SECRET) {
  const ts = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(`${server.url}/api/webhooks/bot`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(ts),
        "webhook-signature": signStandardWebhook(secret, id, ts, body),
      },
    });
    const text = await res.text();
    if (res.status === 200) {
      if ((JSON.parse(text) as { duplicate?: boolean }).duplicate) counts.duplicatesAcknowledged++;
      else counts.acknowledged++;
      acknowledgedIds.add(id);
    } else if (res.status === 401) counts.refused401++;
    else if (res.status >= 500) counts.fiveXx++;
    else counts.other4xx++;
  } catch {
    counts.networkErrors++;
  }
}

async function webhookLoad() {
  let n = 0;
  const inFlight = new Set<Promise<void>>();
  while (running) {
    const tick = Date.now();
    for (let i = 0; i < WEBHOOKS_PER_SECOND; i++) {
      const k = ++n;
      const id = `msg_soak_${k}`;
      const type = ["message.received", "message.processed", "response.sent"][k % 3]!;
      const body = JSON.stringify({
        type,
        occurred_at: new Date().toISOString(),
        conversation_id: `c${k % 500}`,
        latency_ms: 800 + (k % 700),
      });
      counts.sent++;
      const p = post(id, body).then(async () => {
        // One in fifty is delivered again, as senders retry.
        if (k % 50 === 0) await post(id, body);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    // A forged delivery now and then: refused, counted, raises an alert.
    if (n % 2000 < WEBHOOKS_PER_SECOND) {
      injected.badSignatures++;
      await post(`msg_forged_${n}`, "{}", "whsec_d3Jvbmc=");
    }
    await sleep(Math.max(0, 1000 - (Date.now() - tick)));
  }
  await Promise.all(inFlight);
}

async function cron(job: string) {
  counts.cronCalls++;
  try {
    const res = await fetch(`${server.url}/api/cron/${job}`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    const body = (await res.json()) as { skipped?: string };
    if (res.status >= 500) counts.fiveXx++;
    if (body.skipped) counts.cronSkipped++;
  } catch {
    counts.networkErrors++;
  }
}

// Accelerated schedule: heartbeat every 5 s, monitor every 20 s, checkpoint every 60 s.
async function crons() {
  let tick = 0;
  while (running) {
    const jobs = [cron("heartbeat"), ...(tick % 4 === 0 ? [cron("monitor")] : []), ...(tick % 12 === 0 ? [cron("checkpoint")] : [])];
    await Promise.all(jobs);
    tick++;
    await sleep(5000);
  }
}

async function traffic() {
  const judged = FIXTURES.filter((f) => f.session !== false);
  let tick = 0;
  while (running) {
    // A conversation that finished 10 minutes ago becomes readable every 2 s.
    langfuse.add(
      ...fixtureObservations(judged[counts.sessions % judged.length]!, Date.now() - 10 * 60_000, {
        sessionId: `soak-${counts.sessions++}`,
      }),
    );
    if (++tick % 60 === 0) {
      injected.langfuse++;
      langfuse.faults.push({ status: 500 });
    }
    await sleep(2000);
  }
}

async function memory() {
  while (running) {
    rss.push({ at: Date.now() - started, kb: rssKb() });
    await sleep(5000);
  }
}

// Slack refuses the first notifications (the first forged delivery raises one within a minute).
slack.script.push({ status: 500 }, { status: 429, headers: { "retry-after": "5" } }, { status: 503 });
injected.slack = slack.script.length;

process.stdout.write(`soak: ${MINUTES} min, ${WEBHOOKS_PER_SECOND} webhooks/s, server pid ${pid}\n`);
const loops = [webhookLoad(), crons(), traffic(), memory()];
while (Date.now() < endAt) {
  await sleep(Math.min(60_000, endAt - Date.now()));
  process.stdout.write(
    `soak: ${Math.round((Date.now() - started) / 60_000)} min, ${counts.acknowledged} acknowledged, ${counts.fiveXx} 5xx, rss ${Math.round(rssKb() / 1024)} MB\n`,
  );
}
running = false;
await Promise.all(loops);

// Drain: monitor cycles until every finished session has its verdict (or 3 minutes pass).
const db = createDb({ url: dbUrl });
const one = async (sql: string) => Number((await db.execute(sql)).rows[0]!.n ?? 0);
const drainDeadline = Date.now() + 3 * 60_000;
while ((await one("SELECT COUNT(DISTINCT session_id) AS n FROM monitoring_results")) < counts.sessions && Date.now() < drainDeadline) {
  await cron("monitor");
  await cron("heartbeat");
  await sleep(2000);
}
for (let i = 0; i < 12; i++) {
  await cron("heartbeat"); // delivers what Slack refused earlier
  await sleep(1000);
}

const stored = await one("SELECT COUNT(*) AS n FROM webhook_events WHERE dedupe_key LIKE 'msg_soak_%'");
const storedDistinct = await one("SELECT COUNT(DISTINCT dedupe_key) AS n FROM webhook_events");
const storedAll = await one("SELECT COUNT(*) AS n FROM webhook_events");
const rolledUp = await one("SELECT SUM(value) AS n FROM webhook_rollups WHERE metric = 'accepted'");
const ackedStored = Number(
  (
    await db.execute({
      sql: "SELECT COUNT(*) AS n FROM webhook_events WHERE dedupe_key IN (SELECT value FROM json_each(?))",
      args: [JSON.stringify([...acknowledgedIds])],
    })
  ).rows[0]!.n,
);
const sessionsJudged = await one("SELECT COUNT(DISTINCT session_id) AS n FROM monitoring_results");
const verdicts = await one("SELECT COUNT(*) AS n FROM monitoring_results");
const duplicateVerdicts = await one(
  "SELECT COUNT(*) AS n FROM (SELECT session_id, activity_version FROM monitoring_results GROUP BY 1, 2 HAVING COUNT(*) > 1)",
);
const errorVerdicts = await one("SELECT COUNT(*) AS n FROM monitoring_results WHERE verification_status = 'error'");
// Refused requests are counted in the rollups only (no row each).
const signatureFailures = await one("SELECT COALESCE(SUM(value), 0) AS n FROM webhook_rollups WHERE metric = 'signature_failure'");
const notificationsSent = await one(
  "SELECT COUNT(DISTINCT group_key) AS n FROM notifications WHERE channel = 'slack' AND sent_at IS NOT NULL",
);
const notificationsPending = await one(
  "SELECT COUNT(*) AS n FROM notifications WHERE channel = 'slack' AND sent_at IS NULL AND failed_at IS NULL",
);
const jobErrors = await one("SELECT COUNT(*) AS n FROM job_runs WHERE status = 'error'");
db.close();
await stop(server.child);
await langfuse.close();
await openai.close();
await slack.close();
rmSync(dir, { recursive: true, force: true });

// Memory: the first fifth of the run is warm-up (V8 sizing its heap, JIT, SQLite's page cache
// filling); growth is measured from the minute after it to the last minute, and the whole
// curve is printed so a slow leak shows either way.
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const minuteAvg = (m: number) => avg(rss.filter((s) => s.at >= m * 60_000 && s.at < (m + 1) * 60_000).map((s) => s.kb));
const warmup = Math.max(1, Math.round(MINUTES / 5));
const baseline = minuteAvg(warmup);
const last = minuteAvg(MINUTES - 1);
const growth = baseline ? (last - baseline) / baseline : 0;
const peak = Math.max(...rss.map((s) => s.kb));
const curve = Array.from({ length: MINUTES }, (_, m) => (minuteAvg(m) / 1024).toFixed(0)).join(" → ");

const checks: [string, string, boolean][] = [
  ["every acknowledged webhook stored", `${ackedStored} / ${acknowledgedIds.size}`, ackedStored === acknowledgedIds.size],
  ["no event stored twice", `${storedAll} rows, ${storedDistinct} distinct`, storedAll === storedDistinct],
  ["rollups agree with rows", `${rolledUp} / ${storedAll}`, rolledUp === storedAll],
  ["every finished session judged", `${sessionsJudged} / ${counts.sessions}`, sessionsJudged === counts.sessions],
  ["no duplicate verdict", String(duplicateVerdicts), duplicateVerdicts === 0],
  ["zero 5xx", String(counts.fiveXx), counts.fiveXx === 0],
  [
    "no Slack notification left undelivered",
    `${notificationsSent} sent, ${notificationsPending} pending; Slack received ${slack.received.length}`,
    notificationsPending === 0 && slack.received.length === notificationsSent,
  ],
  [`memory growth < 10 % after warm-up (minute ${warmup + 1} → ${MINUTES})`, `${(growth * 100).toFixed(1)} %`, growth < 0.1],
];

const figures = table(
  ["figure", "value"],
  [
    ["duration", `${MINUTES} min at ${WEBHOOKS_PER_SECOND} webhooks/s, crons every 5 s / 20 s / 60 s`],
    ["webhooks sent (distinct)", counts.sent],
    ["acknowledged (new / duplicate)", `${counts.acknowledged} / ${counts.duplicatesAcknowledged}`],
    ["stored (load events)", stored],
    ["forged deliveries refused (401) / signature failures counted", `${counts.refused401} / ${signatureFailures}`],
    ["other 4xx / 5xx / network errors", `${counts.other4xx} / ${counts.fiveXx} / ${counts.networkErrors}`],
    ["conversations / sessions judged / verdicts", `${counts.sessions} / ${sessionsJudged} / ${verdicts}`],
    ["verdicts recorded as errors (model gave up)", errorVerdicts],
    ["duplicate verdicts", duplicateVerdicts],
    ["model calls / injected model faults", `${openai.calls.length} / ${injected.model}`],
    ["injected Langfuse 500s / Slack failures (500, 429, 503)", `${injected.langfuse} / ${injected.slack}`],
    ["cron calls / skipped by the lease / job runs in error", `${counts.cronCalls} / ${counts.cronSkipped} / ${jobErrors}`],
    ["Slack messages received (attempts)", `${slack.received.length} (${slack.attempts})`],
    ["server RSS per minute (MB)", curve],
    [
      `server RSS: minute ${warmup + 1} → last minute (peak)`,
      `${(baseline / 1024).toFixed(0)} MB → ${(last / 1024).toFixed(0)} MB (${(peak / 1024).toFixed(0)} MB)`,
    ],
  ],
);

const section = [
  `<!-- soak:start -->`,
  `Last run: ${machine()}.`,
  "",
  ...figures,
  "",
  ...table(
    ["check", "measured", "held"],
    checks.map(([name, value, ok]) => [name, value, ok ? "✓" : "✗"]),
  ),
  `<!-- soak:end -->`,
].join("\n");

const path = "RELIABILITY.md";
const doc = readFileSync(path, "utf8");
writeFileSync(path, doc.replace(/<!-- soak:start -->[\s\S]*<!-- soak:end -->/, section));
process.stdout.write(`${section}\n`);
process.exit(checks.every(([, , ok]) => ok) ? 0 : 1);
