import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimSession } from "../../src/monitoring/store/sessions.js";
import { storeVerdict } from "../../src/monitoring/results.js";
import type { ResultRow, Usage } from "../../src/monitoring/verdict-row.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

// The batch that ends an analysed claim: verdict and hourly count only while the claim holds,
// counted once per verdict, and the model spend whatever happened to the claim.

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const HOUR = Math.floor(T0 / 3600_000) * 3600_000;
const LEASE = 60_000;
const usage: Usage = { tokensIn: 100, tokensOut: 20, costUsd: 0.01, model: "m" };
let n = 0;

async function pendingSession(): Promise<string> {
  const key = `sess-${++n}`;
  await t.db.execute({
    sql: `INSERT INTO monitor_sessions (session_key, first_activity, last_activity, observation_count, ended, state, updated_at)
          VALUES (?, ?, ?, 1, 1, 'pending', ?)`,
    args: [key, T0 - 1000, T0 - 1000, T0 - 1000],
  });
  return key;
}

const verdict = (sessionId: string, status: ResultRow["status"]): ResultRow => ({
  sessionId,
  activityVersion: 1,
  status,
  intent: { intent: "book_appointment", confidence: 0.9, summary: "book" },
  usage,
  attempts: 1,
  analyzedAt: T0,
});

const results = async (sessionId: string) =>
  (await t.db.execute({ sql: "SELECT verification_status FROM monitoring_results WHERE session_id = ?", args: [sessionId] })).rows.map(
    (r) => String(r.verification_status),
  );
const hourly = async (status: string) =>
  Number(
    (
      await t.db.execute({
        sql: "SELECT n FROM monitoring_hourly WHERE hour = ? AND intent = 'book_appointment' AND status = ?",
        args: [HOUR, status],
      })
    ).rows[0]?.n ?? 0,
  );
const spend = async () =>
  Number((await t.db.execute({ sql: "SELECT tokens FROM judge_spend WHERE day = '2026-01-05'" })).rows[0]?.tokens ?? 0);

describe("storeVerdict", () => {
  it("stores the verdict, counts it in its hour and adds the spend while the claim holds", async () => {
    const key = await pendingSession();
    const claim = (await claimSession(t.db, key, "cycle-a", T0, LEASE))!;
    const [hourBefore, spendBefore] = [await hourly("pass"), await spend()];
    const [claimEnd] = await t.db.batch(storeVerdict(claim, "analyzed", verdict(key, "pass"), usage, T0), "write");
    expect(claimEnd!.rowsAffected).toBe(1);
    expect(await results(key)).toEqual(["pass"]);
    expect(await hourly("pass")).toBe(hourBefore + 1);
    expect(await spend()).toBe(spendBefore + 120);
  });

  it("stores nothing but the spend once the claim was taken over", async () => {
    const key = await pendingSession();
    const lost = (await claimSession(t.db, key, "cycle-a", T0, LEASE))!;
    // The lease ran out and another cycle took the session over.
    expect(await claimSession(t.db, key, "cycle-b", T0 + LEASE + 1, LEASE)).toBeDefined();
    const [hourBefore, spendBefore] = [await hourly("fail"), await spend()];
    const [claimEnd] = await t.db.batch(storeVerdict(lost, "analyzed", verdict(key, "fail"), usage, T0 + LEASE + 2), "write");
    expect(claimEnd!.rowsAffected).toBe(0);
    expect(await results(key)).toEqual([]);
    expect(await hourly("fail")).toBe(hourBefore);
    expect(await spend()).toBe(spendBefore + 120);
  });

  it("counts a verdict once: a second one for the same session version is not stored, nor counted", async () => {
    const key = await pendingSession();
    const first = (await claimSession(t.db, key, "cycle-a", T0, LEASE))!;
    await t.db.batch(storeVerdict(first, "analyzed", verdict(key, "partial"), usage, T0), "write");
    const hourBefore = await hourly("partial");
    // The same version claimed again (sent back to pending, as after an operator's requeue).
    await t.db.execute({ sql: "UPDATE monitor_sessions SET state = 'pending', next_attempt_at = 0 WHERE session_key = ?", args: [key] });
    const second = (await claimSession(t.db, key, "cycle-b", T0 + 1, LEASE))!;
    const [claimEnd] = await t.db.batch(storeVerdict(second, "analyzed", verdict(key, "partial"), usage, T0 + 1), "write");
    expect(claimEnd!.rowsAffected).toBe(1);
    expect(await results(key)).toEqual(["partial"]);
    expect(await hourly("partial")).toBe(hourBefore);
  });
});
