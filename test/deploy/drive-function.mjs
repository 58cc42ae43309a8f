// Runs inside a fresh Node process of the runtime a built function names, with nothing but
// that function's directory: imports its handler as Vercel's launcher does (the module's
// `fetch` export) and sends real requests through it. Prints one JSON line of results.
import { createHmac, randomUUID } from "node:crypto";

const [handlerPath, mode] = process.argv.slice(2);
const started = performance.now();
const mod = await import(handlerPath);
const handler = mod.default?.fetch ?? mod.fetch;
if (typeof handler !== "function") throw new Error("the function exports no fetch handler");
const base = "https://vigil-test.vercel.app";
const results = [];

async function send(name, path, init = {}) {
  const res = await handler(new Request(base + path, init));
  const text = await res.text();
  results.push({ name, status: res.status, type: res.headers.get("content-type"), body: text.slice(0, 400) });
}

if (mode === "misconfigured") {
  await send("health", "/api/health");
} else {
  const cron = { authorization: `Bearer ${process.env.CRON_SECRET}` };
  const key = { authorization: `Bearer ${process.env.VIGIL_API_KEY}` };
  await send("health-first", "/api/health");
  results[0].firstAnswerMs = Math.round(performance.now() - started);
  await send("cron-no-secret", "/api/cron/heartbeat");
  await send("cron-with-secret", "/api/cron/heartbeat", { headers: cron });
  await send("health", "/api/health");
  // Standard Webhooks, signed as a sender would (standard-webhooks/standard-webhooks, javascript/src/index.ts).
  const id = `msg_${randomUUID()}`;
  const ts = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ type: "message.received", occurred_at: new Date().toISOString() });
  const key64 = process.env.WEBHOOK_SECRET.replace(/^whsec_/, "");
  const signature = createHmac("sha256", Buffer.from(key64, "base64")).update(`${id}.${ts}.${body}`).digest("base64");
  await send("webhook", "/api/webhooks/bot", {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(ts),
      "webhook-signature": `v1,${signature}`,
    },
  });
  await send("query-no-key", "/api/runs");
  // Vercel's rewrite of /api/:path to the function appends ?path=…; the original path reaches Hono.
  await send("query", "/api/runs?path=runs", { headers: key });
  await send("status", "/status", {
    headers: { authorization: `Basic ${Buffer.from(`vigil:${process.env.VIGIL_API_KEY}`).toString("base64")}` },
  });
}
console.log(JSON.stringify({ node: process.version, results }));
