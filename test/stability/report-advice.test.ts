import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { H, M } from "../helpers/stability.js";
import { storeExchange, storeSignatureFailure } from "./factories.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";

// The report's advice follows the evidence, and zero traffic reads the same in a checkpoint as in
// the 24-hour verdict.
let t: TestDb | undefined;
afterEach(() => t?.cleanup());

const day = Date.parse("2026-11-23T00:00:00Z");

async function world() {
  t = await createTestDb();
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  return { deps, app: createApp(deps) };
}

async function failSignatures(w: Awaited<ReturnType<typeof world>>, at: number, badSecret: number, late: number) {
  w.deps.testClock.set(at);
  for (let i = 0; i < badSecret; i++) await storeSignatureFailure(w.deps, "bot", at);
  for (let i = 0; i < late; i++) await storeSignatureFailure(w.deps, "bot", at, "timestamp_too_old");
}

const report = async (w: Awaited<ReturnType<typeof world>>) =>
  (await (await w.app.request("/api/stability/report?hours=24", { headers: apiAuth })).json()) as {
    status: string;
    recommendations: string[];
    redFlags: { kind: string }[];
  };
const signatureAdvice = (r: { recommendations: string[] }) => r.recommendations.find((x) => x.includes("signature failure"))!;

describe("signature-failure advice", () => {
  it("with mixed reasons, advises on the most common one (9 of 11 invalid_signature: the secret, not the clock)", async () => {
    const w = await world();
    await storeExchange(w.deps, day + H);
    await failSignatures(w, day + 2 * H, 9, 2);
    w.deps.testClock.set(day + 3 * H);
    const advice = signatureAdvice(await report(w));
    expect(advice).toBe(
      "11 signature failure(s) (invalid_signature: 9, timestamp_too_old: 2): most are invalid_signature (9 of 11): check that the sender signs with the secret configured here; to rotate, list old and new secrets comma-separated.",
    );
    expect(advice).not.toContain("clock");
  });

  it("advises on the clock when late deliveries are the most common reason", async () => {
    const w = await world();
    await storeExchange(w.deps, day + H);
    await failSignatures(w, day + 2 * H, 1, 3);
    w.deps.testClock.set(day + 3 * H);
    expect(signatureAdvice(await report(w))).toMatch(/most are timestamp_too_old \(3 of 4\): check the sender's clock/);
  });
});

describe("a window without deliveries", () => {
  it("is a checkpoint with no traffic — not ok — as the 24-hour verdict over it is not stable", async () => {
    const w = await world();
    w.deps.testClock.set(day + 24 * H + 2 * M);
    await w.app.request("/api/cron/checkpoint", { headers: cronAuth });
    const { checkpoints } = (await (await w.app.request("/api/stability/checkpoints?limit=1", { headers: apiAuth })).json()) as {
      checkpoints: { status: string; metrics: { deliveries: number }; redFlags: { kind: string; message: string }[] }[];
    };
    expect(checkpoints[0]).toMatchObject({
      status: "warning",
      metrics: { deliveries: 0 },
      redFlags: [{ kind: "no_traffic", message: "no traffic: 0 deliveries in this period" }],
    });
    const verdict = await report(w);
    // Nothing ever received: not stable and not production ready, but "no data yet" rather than a
    // failing bot; once traffic has been seen, zero is a silence (test/stability/report.http.test.ts).
    expect(verdict).toMatchObject({ status: "NO_DATA", productionReady: false });
    expect(verdict.redFlags.map((f) => f.kind)).toEqual(["no_traffic"]);

    const md = await (await w.app.request("/api/stability/report?format=markdown", { headers: apiAuth })).text();
    expect(md).toContain("- **Notes:** WARNING: no traffic: 0 deliveries in this period");
    const page = await (
      await w.app.request("/status", {
        headers: { authorization: `Basic ${Buffer.from(`me:${apiAuth.authorization.slice(7)}`).toString("base64")}` },
      })
    ).text();
    expect(page).toMatch(/<td>no traffic<\/td><td>0<\/td>/);
  });

  it("a window with traffic has no such flag", async () => {
    const w = await world();
    await storeExchange(w.deps, day + H);
    w.deps.testClock.set(day + 4 * H + 2 * M);
    await w.app.request("/api/cron/checkpoint", { headers: cronAuth });
    const { checkpoints } = (await (await w.app.request("/api/stability/checkpoints?limit=1", { headers: apiAuth })).json()) as {
      checkpoints: { metrics: { deliveries: number }; redFlags: { kind: string }[] }[];
    };
    expect(checkpoints[0]!.metrics.deliveries).toBe(1);
    expect(checkpoints[0]!.redFlags.map((f) => f.kind)).not.toContain("no_traffic");
  });
});
