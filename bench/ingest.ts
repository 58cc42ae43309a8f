import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createDb } from "../src/db/client.js";
import { signStandardWebhook } from "../src/stability/signatures.js";
import { fmt, startChild, stop, table, type BenchResult } from "./lib.js";

const SECRET = "whsec_" + Buffer.from("bench-ingest-signing-secret-0123456789").toString("base64");
const DURATION = Number(process.env.BENCH_INGEST_SECONDS ?? 12);

async function drive(url: string) {
  let n = 0;
  const result = await autocannon({
    url: `${url}/api/webhooks/bench`,
    connections: 50,
    duration: DURATION,
    method: "POST",
    requests: [
      {
        setupRequest(req) {
          // Every request is a distinct, validly signed event, as a real sender produces.
          const id = `msg_${process.pid}_${++n}`;
          const ts = Math.floor(Date.now() / 1000);
          const body = JSON.stringify({ type: n % 3 === 0 ? "response.sent" : "message.received", occurred_at: new Date().toISOString(), latency_ms: 900 + (n % 500) });
          return { ...req, body, headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": signStandardWebhook(SECRET, id, ts, body) } };
        },
      },
    ],
  });
  return result;
}

export async function ingestBenchmark(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-ingest-"));
  const dbUrl = `file:${join(dir, "ingest.db")}`;
  try {
    const bare = await startChild("bench/bare-server.ts", {});
    const bareResult = await drive(bare.url);
    await stop(bare.child);

    const vigil = await startChild("src/server/main.ts", { PORT: "0", TURSO_DATABASE_URL: dbUrl, WEBHOOK_SECRET: SECRET, LOCAL_SCHEDULER: "false", LOG_LEVEL: "info" });
    const vigilResult = await drive(vigil.url);
    await stop(vigil.child);

    const db = createDb({ url: dbUrl });
    const stored = Number((await db.execute("SELECT COUNT(*) AS n FROM webhook_events WHERE source = 'bench'")).rows[0]!.n);
    db.close();
    const acked = vigilResult["2xx"];
    // Requests still in flight when the load stopped are stored without their 2xx being counted.
    const allStored = stored >= acked;
    const ratio = vigilResult.requests.average / bareResult.requests.average;
    const row = (name: string, r: autocannon.Result) => [name, fmt(r.requests.average, 0), `${r.latency.p50} ms`, `${r.latency.p99} ms`, r["2xx"], r.non2xx + r.errors];
    return {
      title: "Webhook ingest",
      lines: [
        `50 connections, ${DURATION} s each, signed Standard Webhooks events over loopback; Vigil's real local server with a file database (WAL, durable commit before the 2xx), against a bare Hono route that only reads the body.`,
        "",
        ...table(["target", "requests/s", "p50", "p99", "2xx", "other"], [row("bare Hono route", bareResult), row("Vigil /api/webhooks/:source", vigilResult)]),
        "",
        `**Ratio Vigil ÷ bare: ${fmt(ratio, 2)}.** Acknowledged (2xx): ${acked}; rows in the database afterwards: ${stored}${allStored ? " — every acknowledged event is stored (rows beyond the 2xx count were in flight when the load stopped)." : " — MISSING ROWS."}`,
      ],
      goals: [
        { goal: "ratio Vigil ÷ bare ≥ 0.5", met: ratio >= 0.5, measured: fmt(ratio, 2) },
        { goal: "every 2xx in the database", met: allStored, measured: `${stored} stored / ${acked} acknowledged` },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
