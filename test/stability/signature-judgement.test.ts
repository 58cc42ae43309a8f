import { beforeEach, afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { heartbeat } from "../../src/jobs/heartbeat.js";
import { buildStabilityReport } from "../../src/report/stability-report.js";
import { addressKey, judgeRecentFailures, type SlotRow } from "../../src/stability/signature-judgement.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { testDeps, testEnv } from "../helpers/deps.js";
import { healthyExchange, H, M } from "../helpers/stability.js";
import { botEvent, signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

let t: TestDb;
let deps: ReturnType<typeof testDeps>;
let app: ReturnType<typeof createApp>;
beforeEach(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "bot" }) });
  app = createApp(deps);
});
afterEach(() => t.cleanup());

const START = Date.UTC(2026, 10, 23, 6, 0);
const FORGED = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

/** A steady sender: one healthy exchange a minute over [from, to), a heartbeat after each minute. */
async function steadySender(from: number, to: number) {
  for (let at = from; at < to; at += M) {
    await healthyExchange(app, deps.testClock, at);
    await heartbeat(deps, at + 30_000);
  }
}

const openAlerts = async () =>
  (await t.db.execute("SELECT rule, severity, state, summary FROM alerts WHERE state != 'resolved'")).rows.map((r) => ({ ...r }));
const verdict = async (now: number) => {
  const r = await buildStabilityReport(deps, now, 24);
  return { status: r.status, productionReady: r.productionReady, checks: r.checks.map((c) => [c.name, c.pass]) };
};

describe("strangers are noise, not incidents", () => {
  it("five stranger requests beside a steady verified sender page no one, leave the verdict as it was, and are reported as probing with their address", async () => {
    await steadySender(START, START + 2 * H);
    const before = await verdict(START + 2 * H);
    const strangerAt = START + 2 * H;
    for (let i = 0; i < 5; i++) {
      deps.testClock.set(strangerAt + i * 1000);
      // An old timestamp, as the audit sent: the report used to advise checking the sender's clock.
      const forged = signedRequest(botEvent("message.received"), { timestampSeconds: Math.floor((strangerAt - H) / 1000) });
      const res = await app.request("/api/webhooks/bot", { ...forged, headers: { ...forged.headers, "x-real-ip": "203.0.113.7" } });
      expect(res.status).toBe(401);
    }
    await steadySender(START + 2 * H, START + 2 * H + 20 * M);
    const now = START + 2 * H + 20 * M;
    expect(await openAlerts(), "no alert opened").toEqual([]);
    expect(await verdict(now)).toEqual(before);
    const report = await buildStabilityReport(deps, now, 24);
    const probing = report.redFlags.filter((f) => f.kind === "signature_probing");
    expect(probing).toEqual([expect.objectContaining({ severity: "warning", message: expect.stringContaining("203.0.113.7 (5)") })]);
    expect(report.redFlags.filter((f) => f.kind === "signature_failure")).toEqual([]);
    expect(report.recommendations.join(" ")).not.toContain("clock");
  }, 60_000);

  it("a sender whose signatures start failing pages critical at the next heartbeat", async () => {
    await steadySender(START, START + H);
    // The sender's secret is changed on its side only: its next delivery fails.
    const at = START + H;
    deps.testClock.set(at);
    const res = await app.request(
      "/api/webhooks/bot",
      signedRequest(botEvent("message.received"), { secret: FORGED, timestampSeconds: Math.floor(at / 1000) }),
    );
    expect(res.status).toBe(401);
    await heartbeat(deps, at + 30_000);
    expect(await openAlerts()).toEqual([
      expect.objectContaining({
        rule: "signature_failure",
        severity: "critical",
        state: "firing",
        summary: expect.stringContaining("from bot"),
      }),
    ]);
    const report = await buildStabilityReport(deps, at + M, 24);
    expect(report.redFlags.filter((f) => f.kind === "signature_failure")).toEqual([expect.objectContaining({ severity: "critical" })]);
  }, 60_000);

  it("failures at a source with no verified deliveries flowing page critical", async () => {
    deps.testClock.set(START);
    const res = await app.request("/api/webhooks/bot", signedRequest(botEvent("message.received"), { secret: FORGED }));
    expect(res.status).toBe(401);
    await heartbeat(deps, START + 30_000);
    expect(await openAlerts()).toEqual([expect.objectContaining({ rule: "signature_failure", severity: "critical" })]);
  });
});

describe("refused requests", () => {
  it("are counted in the rollups, not stored a row each, and limited per address without Upstash", async () => {
    deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET, WEBHOOK_SOURCES: "bot", WEBHOOK_RATE_LIMIT_PER_MINUTE: "20" }) });
    app = createApp(deps);
    deps.testClock.set(START);
    const from = (ip: string) => ({ method: "POST", body: "{}", headers: { "content-type": "application/json", "x-real-ip": ip } });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await app.request("/api/webhooks/bot", from("198.51.100.9"))).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    // Another address has its own allowance, and the next minute the first one's is back.
    expect((await app.request("/api/webhooks/bot", from("198.51.100.10"))).status).toBe(401);
    deps.testClock.set(START + M);
    expect((await app.request("/api/webhooks/bot", from("198.51.100.9"))).status).toBe(401);
    const rows = async (sql: string) => Number((await t.db.execute(sql)).rows[0]!.n);
    expect(await rows("SELECT COUNT(*) AS n FROM signature_failures"), "no row per refusal").toBe(0);
    expect(await rows("SELECT SUM(value) AS n FROM webhook_rollups WHERE metric = 'signature_failure'")).toBe(22);
    // Two minutes, two addresses: a handful of rollup rows whatever the number of requests.
    expect(await rows("SELECT COUNT(*) AS n FROM webhook_rollups")).toBe(5);
    // Each refusal's log line names the address it came from.
    expect(deps.logs.records().filter((r) => r.msg === "signature failed" && r.client === "198.51.100.9")).toHaveLength(21);
  });
});

describe("the judgement", () => {
  const rows = (source: string, perMinute: [minute: number, verified: number, failures: number][]): SlotRow[] =>
    perMinute.flatMap(([slot, verified, failures]) => [
      { source, slot, metric: "accepted" as const, key: "", total: verified },
      ...(failures > 0 ? [{ source, slot, metric: "signature_failure" as const, key: "invalid_signature", total: failures }] : []),
    ]);
  const quiet = Array.from({ length: 60 }, (_, i): [number, number, number] => [i, i % 5 === 0 ? 1 : 0, 0]);

  it("a stranger's knock beside a delivery of a quiet sender is probing; failures in minutes without any verified delivery are not", () => {
    const stranger = judgeRecentFailures(rows("bot", [...quiet, [60, 1, 3]]), 60, 61, 60);
    expect(stranger.get("bot")!.probing.failures).toBe(3);
    const silent = judgeRecentFailures(rows("bot", [...quiet, [61, 0, 3]]), 60, 61, 60);
    expect(silent.get("bot")!.failing.failures).toBe(3);
  });

  it("a steady sender whose deliveries fall under half their rate while failures appear is failing", () => {
    const steady = Array.from({ length: 60 }, (_, i): [number, number, number] => [i, 10, 0]);
    expect(judgeRecentFailures(rows("bot", [...steady, [60, 4, 6]]), 60, 60, 60).get("bot")!.failing.failures).toBe(6);
    expect(judgeRecentFailures(rows("bot", [...steady, [60, 9, 5]]), 60, 60, 60).get("bot")!.probing.failures).toBe(5);
  });

  it("keys refused addresses by IPv4 address and IPv6 /64", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey(undefined)).toBe("unknown");
  });
});
