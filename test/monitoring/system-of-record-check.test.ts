import { afterEach, describe, expect, it } from "vitest";
import { evaluateAlerts } from "../../src/alerts/engine.js";
import { createApp } from "../../src/app.js";
import { scoreId } from "../../src/monitoring/scores.js";
import { createHttpVerifier } from "../../src/integrations/system-of-record.js";
import { startFakeVerifier, unreachableUrl, type FakeVerifier } from "../../fakes/verifier-server.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import { API_KEY, apiAuth } from "../helpers/deps.js";
import { monitoringWorld, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";

let w: MonitoringWorld | undefined;
let v: FakeVerifier | undefined;
afterEach(async () => {
  await w?.close();
  await v?.close();
  w = undefined;
  v = undefined;
});

const MIN = 60_000;
const facts = { bookedAt: "2026-12-01T10:30", confirmationNumber: "BK-4411", callerName: null };
const request = { sessionId: "sess-book-ok-1", intent: "book", facts };

describe("the HTTP verifier", () => {
  it("POSTs { sessionId, intent, facts }, one call at a time, and reads found and not found", async () => {
    v = await startFakeVerifier((body) => ({
      status: 200,
      json:
        body.facts.confirmationNumber === "BK-4411" ? { verified: true, detail: "booked" } : { verified: false, detail: "no such booking" },
    }));
    const verifier = createHttpVerifier(v.url, 0);
    const results = await Promise.all([
      verifier.verify(request),
      verifier.verify({ ...request, facts: { ...facts, confirmationNumber: "BK-0000" } }),
      verifier.verify(request),
    ]);
    expect(results).toEqual([
      { status: "verified", detail: "booked" },
      { status: "not_found", detail: "no such booking" },
      { status: "verified", detail: "booked" },
    ]);
    expect(v.requests[0]!.body).toEqual(request);
    expect(v.requests[0]!.headers["content-type"]).toBe("application/json");
    expect(v.maxInFlight).toBe(1);
  });

  it.each([
    ["an unreachable verifier", null, /^verifier unreachable: ECONNREFUSED$/],
    ["an HTTP 500", { status: 500, json: { verified: true } }, /^verifier answered HTTP 500$/],
    ["a body that is not JSON", { status: 200, raw: "<html>ok</html>" }, /not JSON/],
    ["a body without a boolean verified", { status: 200, json: { verified: "yes" } }, /no boolean "verified"/],
  ])("fails closed on %s: unavailable, with the reason", async (_name, reply, reason) => {
    let url: string;
    if (reply) {
      v = await startFakeVerifier(() => reply);
      url = v.url;
    } else url = await unreachableUrl();
    const result = await createHttpVerifier(url, 0).verify(request);
    expect(result.status).toBe("unavailable");
    expect(result.detail).toMatch(reason);
  });
});

async function world(env: Record<string, string>) {
  w = await monitoringWorld({ env: { VERIFIER_DELAY_MS: "0", ...env } });
  const start = w.clock.now();
  for (const id of ["book-ok-1", "book-fail-tool", "info-ok-1"])
    w.langfuse.add(...fixtureObservations(FIXTURES.find((f) => f.id === id)!, start));
  w.clock.advance(20 * MIN);
  return w;
}
const row = async (world: MonitoringWorld, session: string) =>
  (await world.t.db.execute({ sql: "SELECT * FROM monitoring_results WHERE session_id = ?", args: [session] })).rows[0]!;

describe("the system-of-record check in the monitor cycle", () => {
  it("keeps the judged verdict while the verifier is unavailable, shows it, and asks again: not found turns pass into fail", async () => {
    v = await startFakeVerifier(() => ({ status: 500, json: { error: "database down" } }));
    await world({ VERIFIER_URL: v.url });
    const first = await w!.cycle();
    expect(first).toMatchObject({ passed: 2, failed: 1, errors: 0 });

    // Only verdicts the bot could have faked are checked, with the facts the judge extracted.
    const sent = v.requests.map((r) => r.body as { sessionId: string }).sort((a, b) => a.sessionId.localeCompare(b.sessionId));
    expect(sent).toEqual([
      request,
      { sessionId: "sess-info-ok-1", intent: "information", facts: { bookedAt: null, confirmationNumber: null, callerName: null } },
    ]);
    const booked = await row(w!, "sess-book-ok-1");
    expect([booked.verification_status, booked.verifier_status, booked.verifier_attempts]).toEqual(["pass", "unavailable", 1]);
    expect(booked.verifier_retry_at).not.toBeNull();
    expect((await row(w!, "sess-book-fail-tool")).verifier_status).toBeNull();

    // Visible in the results, the summary and the status page.
    const app = createApp(w!.deps);
    const results = (await (await app.request("/api/monitoring/results", { headers: apiAuth })).json()) as {
      results: { sessionId: string; verifier: unknown }[];
    };
    expect(results.results.find((r) => r.sessionId === "sess-book-ok-1")!.verifier).toMatchObject({
      status: "unavailable",
      detail: "verifier answered HTTP 500",
      attempts: 1,
    });
    const summary = (await (await app.request("/api/monitoring/summary?hours=24", { headers: apiAuth })).json()) as { verifier: unknown };
    expect(summary.verifier).toEqual({ verified: 0, not_found: 0, unavailable: 2 });
    const page = await app.request("/status", { headers: { authorization: `Basic ${Buffer.from(`me:${API_KEY}`).toString("base64")}` } });
    expect(await page.text()).toContain("2 not confirmed: system-of-record verifier unavailable.");
    expect(w!.langfuse.scores.get(scoreId("sess-book-ok-1", "vigil_fulfillment"))).toMatchObject({ value: "pass" });

    // Had Langfuse refused its first scores, the corrected verdict is still sent.
    await w!.t.db.execute("UPDATE monitoring_results SET scores_refused = '400: Invalid request data' WHERE session_id = 'sess-book-ok-1'");
    // The booking never reached the system of record.
    v.answer = (body) => ({
      status: 200,
      json: body.sessionId === "sess-book-ok-1" ? { verified: false, detail: "no appointment BK-4411" } : { verified: true },
    });
    w!.clock.advance(5 * MIN);
    const second = await w!.cycle();
    expect(second).toMatchObject({ sessionsChecked: 0, verifierRetried: 2, diagnosed: 1 });
    expect(v.requests.slice(2).map((r) => r.body)).toContainEqual(request);
    const flipped = await row(w!, "sess-book-ok-1");
    expect([flipped.verification_status, flipped.verifier_status, flipped.verifier_retry_at, flipped.diagnostic_status]).toEqual([
      "fail",
      "not_found",
      null,
      "complete",
    ]);
    expect(JSON.parse(String(flipped.unmet))).toContain("system of record: no appointment BK-4411");
    expect(flipped.scores_refused).toBeNull();
    expect((await row(w!, "sess-info-ok-1")).verifier_status).toBe("verified");
    const after = (await (await app.request("/api/monitoring/summary?hours=24", { headers: apiAuth })).json()) as {
      totals: Record<string, number>;
      verifier: unknown;
    };
    expect(after.totals).toMatchObject({ pass: 1, fail: 2 });
    expect(after.verifier).toEqual({ verified: 1, not_found: 1, unavailable: 0 });

    // Langfuse gets the corrected score on the next cycle (same id: updated, not added).
    w!.clock.advance(5 * MIN);
    expect((await w!.cycle()).verifierRetried).toBe(0);
    expect(w!.langfuse.scores.get(scoreId("sess-book-ok-1", "vigil_fulfillment"))).toMatchObject({ value: "fail" });
  });

  it("gives up after MONITOR_MAX_ATTEMPTS: the verdict stays as judged, marked unavailable with the reason", async () => {
    await world({ VERIFIER_URL: await unreachableUrl(), MONITOR_MAX_ATTEMPTS: "2" });
    await w!.cycle();
    w!.clock.advance(5 * MIN);
    expect((await w!.cycle()).verifierRetried).toBe(2);
    w!.clock.advance(5 * MIN);
    expect((await w!.cycle()).verifierRetried).toBe(0);
    const booked = await row(w!, "sess-book-ok-1");
    expect([booked.verification_status, booked.verifier_status, booked.verifier_attempts, booked.verifier_retry_at]).toEqual([
      "pass",
      "unavailable",
      2,
      null,
    ]);
    expect(JSON.parse(String(booked.verifier)).detail).toBe("gave up after 2 attempts: verifier unreachable: ECONNREFUSED");
    expect(w!.logs.text()).toContain('"msg":"system-of-record check unavailable: verdict kept as judged"');
    expect(Object.fromEntries((await verdicts(w!)).map((r) => [r.session_id, r.verification_status]))).toEqual({
      "sess-book-ok-1": "pass",
      "sess-book-fail-tool": "fail",
      "sess-info-ok-1": "pass",
    });

    // Someone is told: the monitoring_errors alert names the unconfirmed verdicts.
    await evaluateAlerts(
      w!.deps,
      w!.clock.now(),
      w!.deps.alerts.rules.filter((r) => r.name === "monitoring_errors"),
      ["console"],
    );
    const alert = (await w!.t.db.execute("SELECT state, summary FROM alerts WHERE rule = 'monitoring_errors'")).rows[0];
    expect({ ...alert }).toEqual({
      state: "firing",
      summary: "2 verdict(s) not confirmed: the system-of-record verifier stayed unavailable",
    });
  });
});
