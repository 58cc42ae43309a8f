import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client, Transaction } from "@libsql/client";
import { createApp } from "../src/app.js";
import { createDb, prepareLocalDb, type Db } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";
import { depsFromEnv } from "../src/deps.js";
import { parseEnv } from "../src/env.js";
import { JOBS } from "../src/jobs/registry.js";
import { JOB_NAMES } from "../src/jobs/types.js";
import { createLogger } from "../src/log.js";
import { closeDueCheckpoints } from "../src/stability/checkpoints.js";
import { signStandardWebhook } from "../src/stability/signatures.js";
import { fmt, percentiles, table, type BenchResult } from "./lib.js";
import { seed } from "./queries.js";

// Locally the database is a file and a statement costs microseconds; on Vercel each call to
// Turso is a network round trip. This benchmark adds a fixed latency to every call the app
// makes (execute, batch, each transaction step) and counts them, to show what each read
// endpoint and each cron job waits on at Turso's distance.

const ADDED_MS = 20;
const KEY = "bench-api-key-0123456789abcdef";
const SECRET = `whsec_${Buffer.from("bench-round-trips-signing-secret-0123456789").toString("base64")}`;
const SENDERS = 50;
const EVENTS_PER_SENDER = 10;
const SAMPLES = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls: every call made. Round trips: the calls on the critical path — a call started while
 * others were in flight adds no wait of its own, so a call's depth is one more than the deepest
 * call already finished when it started.
 */
interface Meter {
  calls: number;
  depth: number;
  finishedDepth: number;
}

function distant(db: Db, meter: Meter): Db {
  const timed = <T>(call: () => Promise<T>): Promise<T> => {
    meter.calls++;
    const depth = meter.finishedDepth + 1;
    meter.depth = Math.max(meter.depth, depth);
    return sleep(ADDED_MS)
      .then(call)
      .finally(() => (meter.finishedDepth = Math.max(meter.finishedDepth, depth)));
  };
  const wrapTx = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (["execute", "batch", "executeMultiple", "commit", "rollback"].includes(String(prop)))
          return (...args: unknown[]) => timed(() => value.apply(target, args));
        return value.bind(target);
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "transaction")
        return (...args: unknown[]) => timed(() => (value as Client["transaction"]).apply(target, args as never).then(wrapTx));
      if (["execute", "batch", "executeMultiple", "migrate"].includes(String(prop)))
        return (...args: unknown[]) => timed(() => value.apply(target, args));
      return value.bind(target);
    },
  });
}

const reset = (m: Meter) => Object.assign(m, { calls: 0, depth: 0, finishedDepth: 0 });

export async function roundTripsBenchmark(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-rt-"));
  const url = `file:${join(dir, "rt.db")}`;
  try {
    const raw = createDb({ url });
    await prepareLocalDb(raw, url);
    await migrate(raw);
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    // A week-scale deployment: 50 k events, 10 k verdicts, 2 k runs with 10 k executions.
    const volumes = await seed(raw, now, 0.01);
    const env = parseEnv({ VIGIL_API_KEY: KEY, TURSO_DATABASE_URL: url, WEBHOOK_SECRET: SECRET, LOG_LEVEL: "error" });
    const log = createLogger({ level: "error" });
    const rawDeps = depsFromEnv(env, { db: raw, log, clock: () => now, monitoring: undefined });
    await closeDueCheckpoints(rawDeps, now);
    await raw.execute({
      sql: `INSERT INTO monitor_sessions (session_key, first_activity, last_activity, observation_count, state, updated_at) VALUES ('conv-1', ?, ?, 4, 'analyzed', ?)`,
      args: [now - 3_600_000, now - 3_000_000, now],
    });
    await JOBS.heartbeat(rawDeps, now - 60_000); // alerts, run transitions: what a live deployment has
    await raw.execute("ANALYZE");
    const alert = (await raw.execute("SELECT id FROM alerts ORDER BY id LIMIT 1")).rows[0];

    const meter = reset({} as Meter);
    const db = distant(raw, meter);
    const deps = depsFromEnv(env, { db, log, clock: () => now, monitoring: undefined });
    const app = createApp(deps);
    const api = { authorization: `Bearer ${KEY}` };
    const endpoints: [string, Record<string, string>][] = [
      ["/api/health", {}],
      ["/status", { authorization: `Basic ${Buffer.from(`bench:${KEY}`).toString("base64")}` }],
      ["/api/stability/report?hours=24", api],
      ["/api/stability/checkpoints", api],
      ["/api/stats/health?hours=24", api],
      ["/api/stats/performance", api],
      ["/api/failures?limit=10", api],
      ["/api/runs?limit=20", api],
      ["/api/runs/run-1", api],
      ["/api/runs/run-1/executions", api],
      ["/api/runs/run-1/report", api],
      ["/api/agents/coder", api],
      ["/api/export?session=run-1", api],
      ["/api/monitoring/summary?hours=24", api],
      ["/api/monitoring/results?limit=20", api],
      ["/api/monitoring/sessions/conv-1", api],
      ["/api/alerts", api],
      ...(alert ? [[`/api/alerts/${alert.id}`, api] as [string, Record<string, string>]] : []),
      ["/api/silences", api],
      ["/api/jobs", api],
    ];
    const rows: (string | number)[][] = [];
    const goals: BenchResult["goals"] = [];
    await (await app.request("/api/jobs", { headers: api })).arrayBuffer(); // the schema check, once per instance
    for (const [path, headers] of endpoints) {
      const samples: number[] = [];
      let calls = 0;
      let trips = 0;
      for (let i = 0; i < SAMPLES; i++) {
        reset(meter);
        const t0 = performance.now();
        const res = await app.request(path, { headers });
        await res.arrayBuffer();
        samples.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        calls = Math.max(calls, meter.calls);
        trips = Math.max(trips, meter.depth);
      }
      const p = percentiles(samples);
      const name = path.split("?")[0]!;
      rows.push([`\`${name}\``, calls, trips, fmt(p.p50), fmt(p.p95)]);
      const isStatus = name === "/status";
      const met = (isStatus || trips <= 2) && p.p95 < 100;
      goals.push({
        goal: `${name} at +${ADDED_MS} ms/call: ${isStatus ? "" : "≤ 2 round trips, "}p95 < 100 ms`,
        met,
        measured: `${trips} round trips (${calls} calls), p95 ${fmt(p.p95)} ms`,
      });
    }

    // Webhooks: 50 senders at once, each sending its events one after another, every ack
    // waiting for the durable commit; group commit lets concurrent events share a round trip.
    reset(meter);
    const acks: number[] = [];
    let refused = 0;
    let n = 0;
    const send = async () => {
      const id = `msg_rt_${++n}`;
      const ts = Math.floor(now / 1000);
      const body = JSON.stringify({
        type: n % 3 === 0 ? "response.sent" : "message.received",
        occurred_at: new Date(now).toISOString(),
        latency_ms: 900 + (n % 500),
      });
      const headers = {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(ts),
        "webhook-signature": signStandardWebhook(SECRET, id, ts, body),
      };
      const t0 = performance.now();
      const res = await app.request("/api/webhooks/bench", { method: "POST", headers, body });
      await res.arrayBuffer();
      acks.push(performance.now() - t0);
      if (res.status >= 300) refused++;
    };
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        for (let i = 0; i < EVENTS_PER_SENDER; i++) await send();
      }),
    );
    const stored = Number((await raw.execute("SELECT COUNT(*) AS n FROM webhook_events WHERE source = 'bench'")).rows[0]!.n);
    const ack = percentiles(acks);
    const webhookCalls = meter.calls;
    goals.push({
      goal: `webhook ack at +${ADDED_MS} ms/call, ${SENDERS} concurrent senders: p99 < 60 ms, every ack stored`,
      met: ack.p99 < 60 && refused === 0 && stored === acks.length,
      measured: `p99 ${fmt(ack.p99)} ms (p50 ${fmt(ack.p50)}), ${fmt(webhookCalls / acks.length, 2)} calls per event, ${stored}/${acks.length} stored`,
    });

    const jobRows: (string | number)[][] = [];
    for (const job of JOB_NAMES) {
      const samples: number[] = [];
      let calls = 0;
      let trips = 0;
      for (let i = 0; i < 5; i++) {
        reset(meter);
        const at = now + (i + 1) * 300_000;
        const t0 = performance.now();
        await JOBS[job]({ ...deps, clock: () => at }, at);
        samples.push(performance.now() - t0);
        calls = Math.max(calls, meter.calls);
        trips = Math.max(trips, meter.depth);
      }
      const p = percentiles(samples);
      jobRows.push([job, calls, trips, fmt(p.p50), fmt(p.max)]);
    }
    raw.close();
    return {
      title: `Round trips at Turso's distance (+${ADDED_MS} ms per call)`,
      lines: [
        `Every \`execute\`, \`batch\` and transaction step of the app's libSQL client waits ${ADDED_MS} ms before it runs, as a call to Turso from a Vercel region would. Seeded: ${volumes.events.toLocaleString("en")} webhook events with their rollups, ${volumes.results.toLocaleString("en")} verdicts, ${volumes.runs.toLocaleString("en")} runs with ${volumes.executions.toLocaleString("en")} executions; one heartbeat run first. Each endpoint called ${SAMPLES} times in process after the instance's one schema check. *Calls* counts every call; *round trips* counts those on the critical path (calls made in parallel, or in one \`batch\`, share one).`,
        "",
        ...table(["endpoint", "calls", "round trips", "p50 ms", "p95 ms"], rows),
        "",
        `Webhooks: ${SENDERS} senders at once, ${EVENTS_PER_SENDER} signed events each, one after another: ack p50 ${fmt(ack.p50)} ms, p99 ${fmt(ack.p99)} ms; ${fmt(webhookCalls / acks.length, 2)} database calls per event (${webhookCalls} for ${acks.length}); ${stored} of ${acks.length} stored${refused ? `; ${refused} refused` : ""}.`,
        "",
        "Cron jobs, called directly (without the lease and job_runs bookkeeping of the cron route), 5 runs each, 5 minutes apart:",
        "",
        ...table(["job", "calls", "round trips", "p50 ms", "max ms"], jobRows),
      ],
      goals,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
