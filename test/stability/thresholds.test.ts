import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { ENV_VARIABLES } from "../../src/env.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { M } from "../helpers/stability.js";
import { storeEvent, storeExchange } from "./factories.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

// Each stability threshold is one setting: changing it moves the report's checks and red flags,
// the default alert rules and the status page together. A team that tightens a threshold is
// alerted on it.
let t: TestDb | undefined;
afterEach(() => t?.cleanup());

const start = Date.parse("2026-11-23T08:00:00Z");

async function world(env: Record<string, string>) {
  t?.cleanup();
  t = await createTestDb();
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET, ...env }) });
  const app = createApp(deps);
  return { deps, app };
}
type World = Awaited<ReturnType<typeof world>>;

/** What every consumer says after the scenario: the report's failed checks and red flags, the firing alerts, the page. */
async function consumers(w: World) {
  const report = await (await w.app.request("/api/stability/report?hours=24", { headers: apiAuth })).json();
  await w.app.request("/api/cron/heartbeat", { headers: cronAuth });
  const { alerts } = await (await w.app.request("/api/alerts?state=firing", { headers: apiAuth })).json();
  const page = await (await w.app.request("/status", { headers: { authorization: `Basic ${btoa(`u:${API_KEY}`)}` } })).text();
  return {
    failed: (report.checks as { name: string; state: string }[]).filter((c) => c.state === "fail").map((c) => c.name),
    flags: (report.redFlags as { kind: string }[]).map((f) => f.kind),
    alerts: (alerts as { rule: string }[]).map((a) => a.rule),
    page,
  };
}

const exchanges = async (w: World, n: number, latencyMs: number) => {
  for (let i = 0; i < n; i++) await storeExchange(w.deps, start + i * M, latencyMs);
};

interface Case {
  variable: string;
  /** The default lets the scenario pass; this value makes it fail (or the other way round). */
  value: string;
  scenario(w: World): Promise<void>;
  /** What appears with `value` and not with the default (or, with `loosens`, the other way round). */
  moves: { failed?: string[]; flags?: string[]; alerts?: string[]; page?: string };
  loosens?: boolean;
}

const CASES: Case[] = [
  {
    variable: "STABILITY_RESPONSE_TIME_MS",
    value: "5000",
    // Replies of 6.5 s: a p95 over 5 s, under 10 s.
    scenario: async (w) => {
      await exchanges(w, 12, 6500);
      w.deps.testClock.set(start + 13 * M);
    },
    moves: {
      failed: ["avg_response_time"],
      flags: ["response_time", "slow_replies"],
      alerts: ["response_time"],
      page: "threshold 5.0 s; 12 replies over it",
    },
  },
  {
    variable: "STABILITY_MAX_ERROR_RATE",
    value: "0.2",
    // 1 error in 10 deliveries: 10%.
    scenario: async (w) => {
      await exchanges(w, 10, 1500);
      await storeEvent(w.deps, start + 11 * M, { type: "error", error: { type: "send_failed" } });
      w.deps.testClock.set(start + 12 * M);
    },
    moves: { failed: ["error_rate"], flags: ["error_rate"], alerts: ["error_rate"], page: "Error rate &lt; 5%" },
    loosens: true,
  },
  {
    variable: "ZERO_DELIVERY_MINUTES",
    value: "30",
    // 40 minutes of silence after the last delivery.
    scenario: async (w) => {
      await exchanges(w, 3, 1500);
      w.deps.testClock.set(start + 43 * M);
    },
    moves: { failed: ["no_critical_red_flags"], flags: ["zero_deliveries"], alerts: ["zero_deliveries"] },
  },
  {
    variable: "STABILITY_UNANSWERED_MIN_RECEIVED",
    value: "10",
    // A bot that replied, then 6 messages in 6 minutes with no reply.
    scenario: async (w) => {
      await exchanges(w, 2, 1500);
      for (let i = 0; i < 6; i++) await storeEvent(w.deps, start + (3 + i) * M, { type: "message.received" });
      w.deps.testClock.set(start + 15 * M);
    },
    moves: { failed: ["no_critical_red_flags"], flags: ["bot_not_responding"], alerts: ["bot_not_responding"] },
    loosens: true,
  },
  {
    variable: "STABILITY_UNANSWERED_MINUTES",
    value: "3",
    // 8 unanswered messages between 08:03 and 08:06.
    scenario: async (w) => {
      await exchanges(w, 2, 1500);
      for (let i = 0; i < 8; i++) await storeEvent(w.deps, start + 3 * M + i * 20_000, { type: "message.received" });
      w.deps.testClock.set(start + 7 * M);
    },
    // With a 3-minute window the 8 messages are judged at 08:07; a 10-minute window is not over yet.
    moves: { failed: ["no_critical_red_flags"], flags: ["bot_not_responding"], alerts: ["bot_not_responding"] },
  },
  {
    variable: "STABILITY_MIN_SUCCESS_RATE",
    value: "0.99",
    // 49 of 50 processed: 98%.
    scenario: async (w) => {
      await exchanges(w, 49, 1500);
      await storeEvent(w.deps, start + 50 * M, { type: "message.received" });
      await storeEvent(w.deps, start + 50 * M + 1000, { type: "response.sent", latency_ms: 1500 });
      w.deps.testClock.set(start + 52 * M);
    },
    moves: { failed: ["success_rate"], page: "Success rate ≥ 99%" },
  },
  {
    variable: "STABILITY_MAX_SIGNATURE_FAILURES",
    value: "1",
    scenario: async (w) => {
      await exchanges(w, 3, 1500);
      // In the next quarter hour, with no verified delivery beside it: the sender failing, not a
      // stranger probing beside a delivering sender (that is no signature failure of the bot's).
      await storeEvent(w.deps, start + 16 * M, { type: "signature.failed" });
      w.deps.testClock.set(start + 17 * M);
    },
    moves: { failed: ["signature_failures"], page: "Signature failures ≤ 0" },
    loosens: true,
  },
];

describe("one source for every stability threshold", () => {
  it("has a case for every stability variable", () => {
    const variables = ENV_VARIABLES.filter((v) => v.startsWith("STABILITY_") || v === "ZERO_DELIVERY_MINUTES");
    expect(CASES.map((c) => c.variable).sort()).toEqual(variables.sort());
  });

  it.each(CASES.map((c) => [c.variable, c] as const))("%s moves the report, the red flags, the alert rules and the page", async (_v, c) => {
    const base = await consumers(await run(c, {}));
    const changed = await consumers(await run(c, { [c.variable]: c.value }));
    const [without, withIt] = c.loosens ? [changed, base] : [base, changed];
    for (const name of c.moves.failed ?? []) {
      expect(withIt.failed, `check ${name}`).toContain(name);
      expect(without.failed, `check ${name}`).not.toContain(name);
    }
    for (const kind of c.moves.flags ?? []) {
      expect(withIt.flags, `red flag ${kind}`).toContain(kind);
      expect(without.flags, `red flag ${kind}`).not.toContain(kind);
    }
    for (const rule of c.moves.alerts ?? []) {
      expect(withIt.alerts, `alert ${rule}`).toContain(rule);
      expect(without.alerts, `alert ${rule}`).not.toContain(rule);
    }
    if (c.moves.page) {
      expect(withIt.page).toContain(c.moves.page);
      expect(without.page).not.toContain(c.moves.page);
    }
  });
});

async function run(c: Case, env: Record<string, string>) {
  const w = await world(env);
  await c.scenario(w);
  return w;
}
