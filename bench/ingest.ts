import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { createDb } from "../src/db/client.js";
import { signStandardWebhook } from "../src/stability/signatures.js";
import { profileShares } from "./cpu-profile.js";
import { fmt, probe, startChild, stop, table, type BenchResult } from "./lib.js";

const SECRET = `whsec_${Buffer.from("bench-ingest-signing-secret-0123456789").toString("base64")}`;
const API_KEY = "bench-ingest-api-key-0123456789";
const DURATION = Number(process.env.BENCH_INGEST_SECONDS ?? 12);
// Each server first takes this much load unmeasured, so compiling its hot paths is not billed per webhook.
const WARM_UP_SECONDS = 2;
const PROBE = pathToFileURL(join(import.meta.dirname, "server-probe.ts")).href;

/** Pins this process (autocannon's load generator) and all its threads to `list`. */
const pinSelf = (list: string) => execFileSync("taskset", ["-a", "-cp", list, String(process.pid)], { stdio: "ignore" });

async function drive(url: string, acked: Set<string>, duration = DURATION) {
  let n = 0;
  return autocannon({
    url: `${url}/api/webhooks/bench`,
    connections: 50,
    duration,
    method: "POST",
    requests: [
      {
        setupRequest(req) {
          // Every request is a distinct, validly signed event, as a real sender produces.
          const id = `msg_${process.pid}_${Date.now()}_${++n}`;
          const ts = Math.floor(Date.now() / 1000);
          const body = JSON.stringify({
            type: n % 3 === 0 ? "response.sent" : "message.received",
            occurred_at: new Date().toISOString(),
            latency_ms: 900 + (n % 500),
          });
          return {
            ...req,
            body,
            headers: {
              "content-type": "application/json",
              "webhook-id": id,
              "webhook-timestamp": String(ts),
              "webhook-signature": signStandardWebhook(SECRET, id, ts, body),
            },
          };
        },
        onResponse(status, body) {
          // Vigil answers the stored id: every acknowledged one must be found in the database.
          if (status >= 200 && status < 300 && body.startsWith('{"received":true,"id"')) acked.add((JSON.parse(body) as { id: string }).id);
        },
      },
    ],
  });
}

interface Run {
  result: autocannon.Result;
  cpuPerRequest: number;
  /** Vigil only: rows written per stored event, events stored, acknowledged ids not found. */
  rowsPerEvent?: number;
  stored?: number;
  missing?: number;
  /** Acknowledged ids looked up in the database, warm-up included. */
  checked?: number;
}

async function runBare(cpusList?: string): Promise<Run> {
  const bare = await startChild("bench/bare-server.ts", {}, { cpus: cpusList, imports: [PROBE] });
  await drive(bare.url, new Set(), WARM_UP_SECONDS);
  const before = await probe(bare.child);
  const result = await drive(bare.url, new Set());
  const after = await probe(bare.child);
  await stop(bare.child);
  return { result, cpuPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, result["2xx"]) };
}

const vigilEnv = (dbUrl: string) => ({
  PORT: "0",
  TURSO_DATABASE_URL: dbUrl,
  WEBHOOK_SECRET: SECRET,
  VIGIL_API_KEY: API_KEY,
  LOCAL_SCHEDULER: "false",
  LOG_LEVEL: "info",
});

const PROFILE_SECONDS = 6;

/**
 * Where a pinned webhook's time goes: the server run once more under Node's sampling profiler
 * (`--cpu-prof`, which slows it a little), the load's last seconds summed by owner.
 */
async function profileVigil(dbUrl: string): Promise<{ shares: { owner: string; share: number }[]; busyMicrosPerRequest: number }> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-profile-"));
  try {
    const vigil = await startChild("src/server/main.ts", vigilEnv(dbUrl), {
      cpus: "0",
      imports: [PROBE],
      nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    });
    await drive(vigil.url, new Set(), WARM_UP_SECONDS);
    const result = await drive(vigil.url, new Set(), PROFILE_SECONDS);
    await stop(vigil.child);
    const { shares, busyMicros } = profileShares(dir, PROFILE_SECONDS);
    return { shares, busyMicrosPerRequest: busyMicros / Math.max(1, result["2xx"]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runVigil(dbUrl: string, cpusList?: string): Promise<Run> {
  const vigil = await startChild("src/server/main.ts", vigilEnv(dbUrl), { cpus: cpusList, imports: [PROBE] });
  const db = createDb({ url: dbUrl });
  const countStored = async () => Number((await db.execute("SELECT COUNT(*) AS n FROM webhook_events WHERE source = 'bench'")).rows[0]!.n);
  const acked = new Set<string>();
  try {
    await drive(vigil.url, acked, WARM_UP_SECONDS);
    const storedBefore = await countStored();
    const before = await probe(vigil.child);
    // A dashboard open during the load: its reads catch the rollups up, as the heartbeat does.
    const read = () =>
      fetch(`${vigil.url}/api/stability/report?hours=1`, { headers: { authorization: `Bearer ${API_KEY}` } }).then((r) => r.arrayBuffer());
    const reader = setInterval(() => void read().catch(() => {}), 5000);
    const result = await drive(vigil.url, acked).finally(() => clearInterval(reader));
    await read();
    const after = await probe(vigil.child);
    const stored = (await countStored()) - storedBefore;
    const keys = new Set(
      (await db.execute("SELECT dedupe_key FROM webhook_events WHERE source = 'bench'")).rows.map((r) => String(r.dedupe_key)),
    );
    const missing = [...acked].filter((id) => !keys.has(id)).length;
    return {
      result,
      cpuPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, result["2xx"]),
      rowsPerEvent: (after.rowsWritten - before.rowsWritten) / Math.max(1, stored),
      stored,
      missing,
      checked: acked.size,
    };
  } finally {
    db.close();
    await stop(vigil.child);
  }
}

export async function ingestBenchmark(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-ingest-"));
  const dbUrl = `file:${join(dir, "ingest.db")}`;
  const all = `0-${cpus().length - 1}`;
  try {
    // Pinned: the server alone on core 0, the load generator on core 1 — CPU per request as a
    // function instance pays it, without the two fighting over the same cores.
    pinSelf("1");
    const barePinned = await runBare("0");
    const vigilPinned = await runVigil(dbUrl, "0");
    const profile = await profileVigil(dbUrl);
    pinSelf(all);
    const bare = await runBare();
    const vigil = await runVigil(dbUrl);

    const ratioPinned = vigilPinned.result.requests.average / barePinned.result.requests.average;
    const ratio = vigil.result.requests.average / bare.result.requests.average;
    const cpuRatio = barePinned.cpuPerRequest / vigilPinned.cpuPerRequest;
    // The share of its one core a pinned server used: well under 100 % means the load generator,
    // not the server, set the pace, and the requests/s ratio understates what the server can do.
    const busy = (r: Run) => (r.result.requests.average * r.cpuPerRequest) / 1e6;
    const paceNote = (name: string, r: Run) =>
      `${name} used ${fmt(100 * busy(r), 0)} % of its core${busy(r) < 0.95 ? " (the load generator set the pace)" : ""}`;
    const runs = [vigilPinned, vigil];
    const missing = runs.reduce((a, r) => a + r.missing!, 0);
    const acked = runs.reduce((a, r) => a + r.result["2xx"], 0);
    const stored = runs.reduce((a, r) => a + r.stored!, 0);
    const checked = runs.reduce((a, r) => a + r.checked!, 0);
    const rowsPerEvent = Math.max(...runs.map((r) => r.rowsPerEvent!));
    const row = (name: string, r: Run) => [
      name,
      fmt(r.result.requests.average, 0),
      `${r.result.latency.p50} ms`,
      `${r.result.latency.p99} ms`,
      r.result["2xx"],
      r.result.non2xx + r.result.errors,
      fmt(r.cpuPerRequest, 0),
      r.rowsPerEvent === undefined ? "–" : fmt(r.rowsPerEvent, 3),
    ];
    return {
      title: "Webhook ingest",
      lines: [
        `50 connections, ${DURATION} s each, signed Standard Webhooks events over loopback; Vigil's real local server with a file database (WAL, durable commit before the 2xx), against a bare Hono route that only reads the body. Pinned: server on core 0 (\`taskset -c 0\`), load generator on core 1. CPU µs per request from the server's own \`process.cpuUsage()\`; rows written (inserted, updated or deleted, as Turso bills them) counted in the server's libSQL client, including the rollup catch-ups of a report read every 5 s during the load and once after it. Each server first takes 2 s of load unmeasured (JIT warm-up); every acknowledged id of both Vigil runs, warm-up included, is looked up in the database.`,
        "",
        ...table(
          ["target", "requests/s", "p50", "p99", "2xx", "other", "CPU µs/request", "rows written/event"],
          [
            row("bare Hono route, pinned", barePinned),
            row("Vigil /api/webhooks/:source, pinned", vigilPinned),
            row("bare Hono route", bare),
            row("Vigil /api/webhooks/:source", vigil),
          ],
        ),
        "",
        `Ratio Vigil ÷ bare, pinned: ${fmt(ratioPinned, 2)} (by CPU per request: ${fmt(cpuRatio, 2)}); unpinned: ${fmt(ratio, 2)}. A measured figure, not a goal: a function instance pays wall time waiting on Turso, not this CPU (see the round-trip section for requests, round trips and wall time per webhook). Pinned, ${paceNote("the bare route", barePinned)}; ${paceNote("Vigil", vigilPinned)}. Acknowledged (2xx) while measured: ${acked}; stored meanwhile: ${stored}; acknowledged ids looked up in the database (warm-up included): ${checked}, not found: ${missing}${missing === 0 ? " — every acknowledged event is stored." : " — MISSING ROWS."}`,
        "",
        `**Where a pinned webhook's time goes** — the same server once more under Node's sampling profiler (\`--cpu-prof\`), the last ${PROFILE_SECONDS} s of its load, each sample given to the innermost frame that belongs to one of these (Node's crypto under the signature check counts as the signature check). ${fmt(profile.busyMicrosPerRequest, 0)} µs of busy thread time per webhook; wall-clock samples, so the SQLite share includes the time the thread blocks in fsync, which \`process.cpuUsage()\` above does not count.`,
        "",
        ...table(
          ["owner", "share of busy time", "µs per webhook"],
          profile.shares.map((s) => [s.owner, `${fmt(100 * s.share, 1)} %`, fmt(s.share * profile.busyMicrosPerRequest, 1)]),
        ),
      ],
      goals: [
        { goal: "every 2xx in the database", met: missing === 0, measured: `${missing} of ${checked} acknowledged missing` },
        { goal: "Turso rows written per event ≤ 1.1", met: rowsPerEvent <= 1.1, measured: fmt(rowsPerEvent, 3) },
      ],
    };
  } finally {
    pinSelf(all);
    rmSync(dir, { recursive: true, force: true });
  }
}
