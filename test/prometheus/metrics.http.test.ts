import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { evaluateAlerts } from "../../src/alerts/engine.js";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";
import type { Db } from "../../src/db/client.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, cronAuth, testClock, testDeps, testEnv } from "../helpers/deps.js";
import { parsePrometheusText } from "../helpers/prometheus-text.js";
import { H, M } from "../helpers/stability.js";
import { storeEvent, storeSignatureFailure } from "../stability/factories.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

/** Every database call made through it, with the batch mode. */
function recorded(db: Db, calls: string[]): Db {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (!["execute", "batch", "executeMultiple", "transaction", "migrate"].includes(String(prop))) return value.bind(target);
      return (...args: unknown[]) => {
        calls.push(prop === "batch" ? `batch:${String(args[1])}` : String(prop));
        return value.apply(target, args);
      };
    },
  });
}

// An error type and an intent carrying every character the format escapes, and the format's own syntax.
const HOSTILE_TYPE = 'x"} 1\\n# TYPE evil counter\\';
const HOSTILE_INTENT = 'book"}\n# TYPE vigil_verdicts counter\nvigil_pwned{a="1"} 1\\';

async function world() {
  t = await createTestDb();
  const clock = testClock(Date.UTC(2026, 10, 23, 12, 0, 0));
  const calls: string[] = [];
  const deps = testDeps({ db: recorded(t.db, calls), clock, env: testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "bot,shop" }) });
  const app = createApp(deps);
  return { deps, app, clock, calls };
}

describe("GET /api/metrics", () => {
  it("parses strictly as the Prometheus text format, every family typed, with today's counts and escaped label values", async () => {
    const { deps, app, clock } = await world();
    const start = clock.now() - 2 * H;
    // Yesterday's traffic is not today's count.
    await storeEvent(deps, start - 12 * H, { type: "message.received" });
    for (const [i, latency] of [120, 800, 3500, 3500].entries()) {
      await storeEvent(deps, start + i * M, { type: "message.received" });
      await storeEvent(deps, start + i * M + 1000, { type: "response.sent", latency_ms: latency });
    }
    await storeEvent(deps, start + 10 * M, { type: "error", error: { type: HOSTILE_TYPE } });
    await storeEvent(deps, start + 11 * M, { type: "error", error: { type: "timeout" } }, "shop");
    clock.set(start + 20 * M);
    await storeSignatureFailure(deps, "bot", clock.now());
    const hour = Math.floor(start / H) * H;
    await t!.db.execute({
      sql: "INSERT INTO monitoring_hourly (hour, intent, status, n) VALUES (?, ?, 'fail', 2), (?, 'book', 'pass', 5)",
      args: [hour, HOSTILE_INTENT, hour],
    });
    await t!.db.execute({ sql: "INSERT INTO judge_spend (day, tokens, cost_usd) VALUES ('2026-11-23', 12345, 0.75)" });
    expect((await app.request("/api/cron/heartbeat", { headers: cronAuth })).status).toBe(200);
    await evaluateAlerts(deps, clock.now(), DEFAULT_RULES, ["console"]);
    clock.set(start + 2 * H);

    const res = await app.request("/api/metrics", { headers: apiAuth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const families = parsePrometheusText(text);
    for (const f of families.values()) {
      expect(f.type, `${f.name} has a TYPE`).not.toBe("untyped");
      expect(f.help, `${f.name} has a HELP`).toBeTruthy();
    }
    expect([...families.keys()]).not.toContain("evil");
    expect([...families.keys()]).not.toContain("vigil_pwned");
    const value = (name: string, labels: Record<string, string>) =>
      [...families.values()]
        .flatMap((f) => f.samples)
        .find(
          (s) =>
            s.name === name &&
            Object.keys(labels).length === Object.keys(s.labels).length &&
            Object.entries(labels).every(([k, v]) => s.labels[k] === v),
        )?.value;

    expect(value("vigil_webhook_deliveries_total", { source: "bot" })).toBe(4);
    expect(value("vigil_webhook_errors_total", { source: "bot", type: HOSTILE_TYPE })).toBe(1);
    expect(value("vigil_webhook_errors_total", { source: "shop", type: "timeout" })).toBe(1);
    expect(value("vigil_webhook_signature_failures_total", { source: "bot", reason: "invalid_signature" })).toBe(1);
    // 120 ms ≤ 0.25 s, 800 ms ≤ 1 s, two of 3.5 s ≤ 4 s; the sum in seconds.
    expect(value("vigil_response_time_seconds_bucket", { source: "bot", le: "0.1" })).toBe(0);
    expect(value("vigil_response_time_seconds_bucket", { source: "bot", le: "0.25" })).toBe(1);
    expect(value("vigil_response_time_seconds_bucket", { source: "bot", le: "1" })).toBe(2);
    expect(value("vigil_response_time_seconds_bucket", { source: "bot", le: "3" })).toBe(2);
    expect(value("vigil_response_time_seconds_bucket", { source: "bot", le: "4" })).toBe(4);
    expect(value("vigil_response_time_seconds_bucket", { source: "bot", le: "+Inf" })).toBe(4);
    expect(value("vigil_response_time_seconds_sum", { source: "bot" })).toBeCloseTo(7.92, 6);
    expect(value("vigil_verdicts", { intent: HOSTILE_INTENT, status: "fail" })).toBe(2);
    expect(value("vigil_verdicts", { intent: "book", status: "pass" })).toBe(5);
    expect(value("vigil_judge_tokens_total", {})).toBe(12345);
    expect(value("vigil_judge_cost_usd_total", {})).toBe(0.75);
    expect(value("vigil_job_runs_total", { job: "heartbeat", status: "ok" })).toBe(1);
    expect(value("vigil_job_lag_seconds", { job: "heartbeat" })).toBe(100 * 60);
    expect(value("vigil_alerts_firing", { rule: "signature_failure", severity: "critical" })).toBe(1);
    expect(value("vigil_alerts_firing", { rule: "processing_errors", severity: "critical" })).toBeGreaterThanOrEqual(1);
  });

  it("reads everything in one read batch and writes nothing", async () => {
    const { app, calls } = await world();
    await app.request("/api/jobs", { headers: apiAuth }); // the instance's one schema check
    calls.length = 0;
    const res = await app.request("/api/metrics", { headers: apiAuth });
    expect(res.status).toBe(200);
    expect(calls).toEqual(["batch:read"]);
  });

  it("serves every metric the Grafana dashboard in docs/ queries", async () => {
    const { app } = await world();
    const families = parsePrometheusText(await (await app.request("/api/metrics", { headers: apiAuth })).text());
    const dashboard = JSON.parse(readFileSync("docs/grafana-dashboard.json", "utf8"));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    const used = new Set(exprs.flatMap((e) => e.match(/\bvigil_[a-z_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(10);
    const served = (name: string) => families.has(name) || families.has(name.replace(/_(bucket|sum|count)$/, ""));
    expect([...used].filter((n) => !served(n))).toEqual([]);
  });
});
