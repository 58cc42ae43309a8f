import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../src/app.js";
import { createDb, prepareLocalDb } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";
import { depsFromEnv } from "../src/deps.js";
import { parseEnv } from "../src/env.js";
import { JOBS } from "../src/jobs/registry.js";
import { JOB_NAMES } from "../src/jobs/types.js";
import { createLogger } from "../src/log.js";
import { closeDueCheckpoints } from "../src/stability/checkpoints.js";
import { signStandardWebhook } from "../src/stability/signatures.js";
import { fmt, percentiles, startChild, stop, table, type BenchResult } from "./lib.js";
import { seed } from "./queries.js";

// Locally the database is a file and a statement costs microseconds; on Vercel each request to
// Turso crosses the network. Here the app's @libsql/client runs in remote mode against the Hrana
// server (fakes/hrana-server.ts) through a TCP proxy that holds every chunk for half the
// round-trip time each way (test/helpers/latency-proxy.ts), and the proxy counts the HTTP
// requests and the round trips each read endpoint, each webhook and each cron job costs.

const RTT_MS = 20;
const KEY = "bench-api-key-0123456789abcdef";
const SECRET = `whsec_${Buffer.from("bench-round-trips-signing-secret-0123456789").toString("base64")}`;
const SENDERS = 50;
const EVENTS_PER_SENDER = 10;
const SAMPLES = 20;

interface Meters {
  url: string;
  requests: number;
  roundTrips: number;
  connections: number;
  writes: string[];
  rowsWritten: number;
}

export async function roundTripsBenchmark(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-rt-"));
  const path = join(dir, "rt.db");
  const url = `file:${path}`;
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

    const far = await startChild("bench/distant-db-server.ts", {}, { args: [path, String(RTT_MS)] });
    const meter = async (method = "GET"): Promise<Meters> => (await fetch(far.url, { method })).json() as Promise<Meters>;
    const distantDb = createDb({ url: (await meter()).url, authToken: "distant-token" });
    const deps = depsFromEnv(env, { db: distantDb, log, clock: () => now, monitoring: undefined });
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
      const worst = { requests: 0, trips: 0, connections: 0, writes: [] as string[] };
      for (let i = 0; i < SAMPLES; i++) {
        await meter("POST");
        const t0 = performance.now();
        const res = await app.request(path, { headers });
        await res.arrayBuffer();
        samples.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        const m = await meter();
        worst.requests = Math.max(worst.requests, m.requests);
        worst.trips = Math.max(worst.trips, m.roundTrips);
        worst.connections = Math.max(worst.connections, m.connections);
        worst.writes.push(...m.writes);
      }
      const p = percentiles(samples);
      const name = path.split("?")[0]!;
      // /api/health writes its probe row (at most every 10 s per instance): liveness of writes is its job.
      const writes = name === "/api/health" ? 0 : worst.writes.length;
      rows.push([`\`${name}\``, worst.requests, worst.trips, worst.connections, writes, fmt(p.p50), fmt(p.p95)]);
      goals.push({
        goal: `${name} over HTTP at ${RTT_MS} ms RTT: ≤ 2 round trips, p95 < 100 ms${name === "/api/health" ? "" : ", no write"}`,
        met: worst.trips <= 2 && p.p95 < 100 && writes === 0,
        measured: `${worst.trips} round trips (${worst.requests} requests), p95 ${fmt(p.p95)} ms${writes ? `, ${writes} writes` : ""}`,
      });
    }

    // Webhooks: 50 senders at once, each sending its events one after another, every ack
    // waiting for the durable commit; group commit lets concurrent events share a request.
    // The same load first against the file in process (direct), then at Turso's distance.
    let n = 0;
    const sendAll = async (target: ReturnType<typeof createApp>) => {
      const acks: number[] = [];
      let refused = 0;
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
        const res = await target.request("/api/webhooks/bench", { method: "POST", headers, body });
        await res.arrayBuffer();
        acks.push(performance.now() - t0);
        if (res.status >= 300) refused++;
      };
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          for (let i = 0; i < EVENTS_PER_SENDER; i++) await send();
        }),
      );
      return { acks, refused, wallMs: performance.now() - t0 };
    };
    const stored = async () => Number((await raw.execute("SELECT COUNT(*) AS n FROM webhook_events WHERE source = 'bench'")).rows[0]!.n);
    const direct = await sendAll(createApp(rawDeps));
    const storedDirect = await stored();
    const rowsBefore = (await meter("POST")).rowsWritten;
    const distant = await sendAll(app);
    const storedFar = (await stored()) - storedDirect;
    const after = await meter();
    const webhook = { requests: after.requests, trips: after.roundTrips, rows: after.rowsWritten - rowsBefore };
    const directAck = percentiles(direct.acks);
    const ack = percentiles(distant.acks);
    const acked = distant.acks.length - distant.refused;
    goals.push({
      goal: `webhook ack over HTTP at ${RTT_MS} ms RTT, ${SENDERS} concurrent senders: p99 ≤ direct p99 + 60 ms, every ack stored, rows per event ≤ 1.1`,
      met: ack.p99 <= directAck.p99 + 60 && distant.refused === 0 && storedFar === distant.acks.length && webhook.rows / acked <= 1.1,
      measured: `p99 ${fmt(ack.p99)} ms (direct ${fmt(directAck.p99)}), ${storedFar}/${distant.acks.length} stored, ${fmt(webhook.rows / acked, 3)} rows per event`,
    });

    const jobRows: (string | number)[][] = [];
    for (const job of JOB_NAMES) {
      const samples: number[] = [];
      const worst = { requests: 0, trips: 0 };
      for (let i = 0; i < 5; i++) {
        await meter("POST");
        const at = now + (i + 1) * 300_000;
        const t0 = performance.now();
        await JOBS[job]({ ...deps, clock: () => at }, at);
        samples.push(performance.now() - t0);
        const m = await meter();
        worst.requests = Math.max(worst.requests, m.requests);
        worst.trips = Math.max(worst.trips, m.roundTrips);
      }
      const p = percentiles(samples);
      jobRows.push([job, worst.requests, worst.trips, fmt(p.p50), fmt(p.max)]);
    }
    distantDb.close();
    await stop(far.child);
    raw.close();
    return {
      title: `Round trips at Turso's distance (${RTT_MS} ms RTT, over HTTP)`,
      lines: [
        `The app's @libsql/client in remote mode talks Hrana over HTTP to a local server (fakes/hrana-server.ts, in a process of its own: bench/distant-db-server.ts) through a TCP proxy that holds every chunk ${RTT_MS / 2} ms each way, as Turso in the same region does from a Vercel function; the proxy counts what crossed. Seeded: ${volumes.events.toLocaleString("en")} webhook events with their rollups, ${volumes.results.toLocaleString("en")} verdicts, ${volumes.runs.toLocaleString("en")} runs with ${volumes.executions.toLocaleString("en")} executions; one heartbeat run first. Each endpoint called ${SAMPLES} times in process after the instance's one schema check; the worst sample's counts. *Requests*: HTTP requests to the database; *round trips*: those on the critical path (requests in flight together share one); *new connections*: TCP handshakes (each a round trip of its own, TLS not modelled); *writes*: statements needing write permission, seen by the server.`,
        "",
        ...table(["endpoint", "requests", "round trips", "new connections", "writes", "p50 ms", "p95 ms"], rows),
        "",
        `Webhooks: ${SENDERS} senders at once, ${EVENTS_PER_SENDER} signed events each, one after another. Direct (the file in process): ack p50 ${fmt(directAck.p50)} ms, p99 ${fmt(directAck.p99)} ms, ${fmt(direct.wallMs / direct.acks.length, 2)} ms wall per event. At ${RTT_MS} ms RTT: ack p50 ${fmt(ack.p50)} ms, p99 ${fmt(ack.p99)} ms, ${fmt(distant.wallMs / distant.acks.length, 2)} ms wall per event; ${fmt(webhook.requests / distant.acks.length, 3)} HTTP requests per event (${webhook.requests} for ${distant.acks.length}: group commit), ${webhook.trips} sequential round trips in all, ${fmt(webhook.rows / acked, 3)} rows written per event; ${storedFar} of ${distant.acks.length} stored${distant.refused ? `; ${distant.refused} refused` : ""}.`,
        "",
        "Cron jobs, called directly (without the lease and job_runs bookkeeping of the cron route), 5 runs each, 5 minutes apart:",
        "",
        ...table(["job", "requests", "round trips", "p50 ms", "max ms"], jobRows),
      ],
      goals,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
