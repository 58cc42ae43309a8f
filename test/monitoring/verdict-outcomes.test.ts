import type { InStatement } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";
import { migrations } from "../../src/db/migrations/index.js";
import { readAll } from "../../src/db/query.js";
import { QUALITY_FLAGS } from "../../src/monitoring/quality-counts.js";
import { claimSession } from "../../src/monitoring/store/sessions.js";
import { storeVerdict } from "../../src/monitoring/results.js";
import type { ResultRow, Usage } from "../../src/monitoring/verdict-row.js";
import { costPerHour, judgedOutcomes, topFailureCategories, type JudgedOutcomes } from "../../src/monitoring/store/outcomes.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

// The verdict outcomes per quarter hour stand in for a scan of every verdict: they must give the figures
// the scan gives, whatever was written, overwritten or rolled back.

let t: TestDb | undefined;
afterEach(() => t?.cleanup());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 12, 0, 0, 0);
const STATUSES = ["pass", "fail", "partial", "error", "skipped"] as const;
const CATEGORIES = ["tool_error", "knowledge_gap", "prompt_or_policy"];

/** The figures straight from monitoring_results: what the report read before the outcomes per quarter hour. */
async function scanned(db: TestDb["db"], from: number, to: number, days?: number): Promise<JudgedOutcomes> {
  const ranges = days
    ? Array.from({ length: days }, (_, i) => [from - (i + 1) * DAY, from - (i + 1) * DAY + Math.min(DAY, to - from)])
    : [[from, to]];
  const flags = QUALITY_FLAGS.map((f) => `COALESCE(SUM(json_extract(quality_flags, '$.${f}')), 0) AS ${f}`).join(", ");
  const rs = await db.execute({
    sql: `SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), '') AS category,
            SUM(verification_status IN ('pass', 'fail', 'partial')) AS judged, SUM(verification_status IN ('fail', 'partial')) AS unfulfilled,
            SUM(quality_flags IS NOT NULL) AS flagged, ${flags}
          FROM monitoring_results WHERE ${ranges.map(() => "(analyzed_at >= ? AND analyzed_at < ?)").join(" OR ")} GROUP BY 1`,
    args: ranges.flat(),
  });
  const out: JudgedOutcomes = { judged: 0, unfulfilled: 0, byCategory: {}, flagged: 0, flags: {} };
  for (const r of rs.rows) {
    out.judged += Number(r.judged);
    out.unfulfilled += Number(r.unfulfilled);
    out.flagged += Number(r.flagged);
    if (r.category) out.byCategory[String(r.category)] = Number(r.unfulfilled);
    for (const f of QUALITY_FLAGS) out.flags[f] = (out.flags[f] ?? 0) + Number(r[f]);
  }
  return out;
}

/** The most frequent diagnosed categories straight from monitoring_results. */
async function scannedCategories(db: TestDb["db"], since: number) {
  const rs = await db.execute({
    sql: `SELECT COALESCE(json_extract(diagnostic_report_json, '$.category'), '') AS category, COUNT(*) AS n FROM monitoring_results
          WHERE diagnostic_status = 'complete' AND analyzed_at >= ? GROUP BY 1 ORDER BY n DESC, category LIMIT 5`,
    args: [since],
  });
  return rs.rows.map((r) => ({ category: String(r.category), count: Number(r.n) }));
}

/** Conversation cost per hour straight from monitoring_results: what the report read before the quarter hours carried it. */
async function scannedCost(db: TestDb["db"], from: number, to: number) {
  const rs = await db.execute({
    sql: `SELECT (analyzed_at / ${HOUR}) * ${HOUR} AS hour, COUNT(*) AS conversations, COUNT(conversation_cost_usd) AS measured,
            COALESCE(SUM(verification_status = 'pass' AND conversation_cost_usd IS NOT NULL), 0) AS fulfilled,
            SUM(conversation_cost_usd) AS bot_usd, COALESCE(SUM(cost_usd), 0) AS judge_usd
          FROM monitoring_results WHERE analyzed_at >= ? AND analyzed_at < ? GROUP BY 1 ORDER BY 1`,
    args: [from, to],
  });
  return rs.rows.map((r) => ({
    key: String(r.hour),
    conversations: Number(r.conversations),
    measured: Number(r.measured),
    fulfilled: Number(r.fulfilled),
    botUsd: r.bot_usd === null ? null : Number(r.bot_usd),
    judgeUsd: Number(r.judge_usd),
  }));
}

// Sums of dollars added and taken away in another order than a scan adds them: equal to a nano-dollar.
const nano = (usd: number | null) => (usd === null ? null : Math.round(usd * 1e9) / 1e9);
const costs = (rows: Awaited<ReturnType<typeof scannedCost>>) =>
  rows.map((r) => ({ ...r, botUsd: nano(r.botUsd), judgeUsd: nano(r.judgeUsd) }));
const readCost = async (db: TestDb["db"], from: number, to: number) => costs((await readAll(db, [costPerHour(from, to)]))[0]);

const read = async (db: TestDb["db"], from: number, to: number, days?: number) => (await readAll(db, [judgedOutcomes(from, to, days)]))[0];

/** A small deterministic generator (mulberry32): a failing seed can be replayed. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

type Rng = ReturnType<typeof random>;
const qualityOf = (rng: Rng) =>
  rng.next() < 0.3 ? null : JSON.stringify(Object.fromEntries(QUALITY_FLAGS.map((f) => [f, rng.next() < 0.15 ? null : rng.next() < 0.2])));
// A third of conversations carry no cost (not measured, never $0).
const costOf = (rng: Rng) => (rng.next() < 0.3 ? null : Math.round(rng.next() * 5e6) / 1e8);
const diagnosisOf = (rng: Rng) => {
  const roll = rng.next();
  if (roll < 0.4) return { status: null, json: null };
  if (roll < 0.5) return { status: "error", json: JSON.stringify({ error: "judge down", permanent: false }) };
  return { status: "complete", json: JSON.stringify({ category: rng.pick(CATEGORIES), severity: "high" }) };
};

async function insertVerdicts(db: TestDb["db"], rng: Rng, count: number, prefix: string) {
  const rows: InStatement[] = [];
  for (let i = 0; i < count; i++) {
    const d = diagnosisOf(rng);
    rows.push({
      sql: `INSERT INTO monitoring_results (session_id, activity_version, verification_status, quality_flags, diagnostic_status, diagnostic_report_json,
              analyzed_at, conversation_cost_usd, cost_usd)
            VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        `${prefix}-${i}`,
        rng.pick(STATUSES),
        qualityOf(rng),
        d.status,
        d.json,
        T0 - rng.int(9 * DAY),
        costOf(rng),
        rng.int(100) / 1e5,
      ],
    });
  }
  await db.batch(rows, "write");
}

/** Overwrites the way the pipeline does: diagnoses, verifier flips to fail, re-diagnoses, new flags, a moved time, a removal, a verdict written again, a cost learnt or lost. */
async function overwrite(db: TestDb["db"], rng: Rng, count: number) {
  const ids = (await db.execute("SELECT id FROM monitoring_results")).rows.map((r) => Number(r.id));
  const writes: InStatement[] = [];
  for (let i = 0; i < count; i++) {
    const id = rng.pick(ids);
    const d = diagnosisOf(rng);
    const change = rng.int(9);
    if (change === 0) writes.push({ sql: "UPDATE monitoring_results SET verification_status = 'fail' WHERE id = ?", args: [id] });
    if (change === 1)
      writes.push({
        sql: "UPDATE monitoring_results SET diagnostic_status = ?, diagnostic_report_json = ? WHERE id = ?",
        args: [d.status, d.json, id],
      });
    if (change === 2) writes.push({ sql: "UPDATE monitoring_results SET quality_flags = ? WHERE id = ?", args: [qualityOf(rng), id] });
    if (change === 3) writes.push({ sql: "UPDATE monitoring_results SET analyzed_at = ? WHERE id = ?", args: [T0 - rng.int(9 * DAY), id] });
    if (change === 4)
      writes.push({ sql: "UPDATE monitoring_results SET scores_written_at = ?, verifier_attempts = 2 WHERE id = ?", args: [T0, id] });
    if (change === 5) writes.push({ sql: "DELETE FROM monitoring_results WHERE id = ?", args: [id] });
    if (change === 8)
      writes.push({
        sql: "UPDATE monitoring_results SET conversation_cost_usd = ?, cost_usd = ? WHERE id = ?",
        args: [costOf(rng), rng.int(100) / 1e5, id],
      });
    // The same conversation version judged again: kept as it was (the verdict write), or replaced by an upsert.
    const again = (conflict: string) => ({
      sql: `INSERT INTO monitoring_results (session_id, activity_version, verification_status, quality_flags, analyzed_at, conversation_cost_usd)
            SELECT session_id, activity_version, ?, ?, analyzed_at, ? FROM monitoring_results WHERE id = ? ${conflict}`,
      args: [rng.pick(STATUSES), qualityOf(rng), costOf(rng), id],
    });
    if (change === 6) writes.push(again("ON CONFLICT (session_id, activity_version) DO NOTHING"));
    if (change === 7)
      writes.push(
        again(
          "ON CONFLICT (session_id, activity_version) DO UPDATE SET verification_status = excluded.verification_status, quality_flags = excluded.quality_flags, conversation_cost_usd = excluded.conversation_cost_usd",
        ),
      );
  }
  await db.batch(writes, "write");
}

/** Windows like the report's and regression detection's: ragged, whole-hour, shorter than an hour, and baselines. */
function windows(rng: Rng): [number, number, number?][] {
  const out: [number, number, number?][] = [];
  for (let i = 0; i < 12; i++) {
    const to = T0 - rng.int(2 * DAY);
    const width = rng.pick([15 * 60_000, HOUR, rng.int(DAY), DAY]);
    out.push([to - width, to + (rng.next() < 0.5 ? 1 : 0)]);
    const quarter = Math.floor(to / (15 * 60_000)) * 15 * 60_000;
    out.push([quarter - width, quarter, 1 + rng.int(7)]);
  }
  out.push([Math.floor(T0 / HOUR) * HOUR - 5 * HOUR, Math.floor(T0 / HOUR) * HOUR]);
  return out;
}

describe("verdict outcomes per quarter hour", () => {
  it("give the figures a scan of the verdicts gives (outcomes, top categories, cost by hour), for random verdicts, overwrites and windows", async () => {
    t = await createTestDb();
    for (const seed of [1, 2, 3]) {
      const rng = random(seed);
      await t.db.execute("DELETE FROM monitoring_results");
      await insertVerdicts(t.db, rng, 1500, `s${seed}`);
      await overwrite(t.db, rng, 600);
      for (const since of [T0 - DAY - rng.int(HOUR), T0 - 3 * DAY, T0 - rng.int(10 * DAY)]) {
        const [top] = await readAll(t.db, [topFailureCategories(since)]);
        expect({ seed, since, top }).toEqual({ seed, since, top: await scannedCategories(t.db, since) });
      }
      for (const [from, to, days] of windows(rng)) {
        if (!days)
          expect({ seed, from, to, cost: await readCost(t.db, from, to) }).toEqual({
            seed,
            from,
            to,
            cost: costs(await scannedCost(t.db, from, to)),
          });
        expect({ seed, from, to, days, ...(await read(t.db, from, to, days)) }).toEqual({
          seed,
          from,
          to,
          days,
          ...(await scanned(t.db, from, to, days)),
        });
      }
    }
  });

  it("counts the verdicts of a database that existed before them (the migration back-fills)", async () => {
    t = await createTestDb({ migrate: false });
    await migrate(t.db, migrations.slice(0, -1));
    const rng = random(7);
    await insertVerdicts(t.db, rng, 800, "old");
    await migrate(t.db);
    const before = await scanned(t.db, T0 - 2 * DAY - 17 * 60_000, T0 + 1);
    expect(before.judged).toBeGreaterThan(0);
    expect(await read(t.db, T0 - 2 * DAY - 17 * 60_000, T0 + 1)).toEqual(before);
    expect(await read(t.db, T0 - 3 * HOUR, T0, 7)).toEqual(await scanned(t.db, T0 - 3 * HOUR, T0, 7));
    const cost = await readCost(t.db, T0 - 2 * DAY - 17 * 60_000, T0 + 1);
    expect(cost.some((h) => h.measured > 0)).toBe(true);
    expect(cost).toEqual(costs(await scannedCost(t.db, T0 - 2 * DAY - 17 * 60_000, T0 + 1)));
    // And the verdicts written after it on top, counted once.
    await insertVerdicts(t.db, rng, 200, "new");
    expect(await read(t.db, T0 - 9 * DAY, T0 + 1)).toEqual(await scanned(t.db, T0 - 9 * DAY, T0 + 1));
    expect(await readCost(t.db, T0 - 9 * DAY, T0 + 1)).toEqual(costs(await scannedCost(t.db, T0 - 9 * DAY, T0 + 1)));
  });
});

const usage: Usage = { tokensIn: 10, tokensOut: 2, costUsd: 0.001, model: "m" };
const AT = T0 - 5 * HOUR - 20 * 60_000;
const verdict = (sessionId: string, status: ResultRow["status"]): ResultRow => ({
  sessionId,
  activityVersion: 1,
  status,
  intent: { intent: "book_appointment", confidence: 0.9, summary: "book" },
  fulfillment: {
    status: status === "pass" ? "pass" : "partial",
    summary: "s",
    evidence: [],
    unmet: [],
    quality: { wrong_language: false, off_topic: true, repetitive: false, failed_to_answer: false, harmful: null },
  },
  usage,
  attempts: 1,
  analyzedAt: AT,
});

async function claimed(db: TestDb["db"], key: string, owner = "cycle-a", now = AT) {
  await db.execute({
    sql: `INSERT INTO monitor_sessions (session_key, first_activity, last_activity, observation_count, ended, state, updated_at)
          VALUES (?, ?, ?, 1, 1, 'pending', ?) ON CONFLICT (session_key) DO NOTHING`,
    args: [key, AT - 1000, AT - 1000, AT - 1000],
  });
  return (await claimSession(db, key, owner, now, 60_000))!;
}

// Whole quarter hours only, so every figure below comes from the table.
const day = (db: TestDb["db"]) => read(db, Math.floor(AT / HOUR) * HOUR - DAY, Math.floor(AT / HOUR) * HOUR + HOUR);

describe("verdict outcomes per quarter hour under overwrites and crashes", () => {
  it("counts a re-judged, re-diagnosed verdict once, under its latest status and category (nothing counted twice)", async () => {
    t = await createTestDb();
    const claim = await claimed(t.db, "conv-1");
    await t.db.batch(storeVerdict(claim, "analyzed", verdict("conv-1", "partial"), usage, AT), "write");
    // A takeover's verdict for the same conversation version does not land, nor count.
    const takeover = await claimed(t.db, "conv-1", "cycle-b", AT + 120_000);
    await t.db.batch(storeVerdict(takeover ?? claim, "analyzed", verdict("conv-1", "fail"), usage, AT), "write");
    const id = Number((await t.db.execute("SELECT id FROM monitoring_results WHERE session_id = 'conv-1'")).rows[0]!.id);
    const diagnose = (category: string) =>
      t!.db.execute({
        sql: "UPDATE monitoring_results SET diagnostic_status = 'complete', diagnostic_report_json = ?, diagnosed_at = ? WHERE id = ?",
        args: [JSON.stringify({ category }), AT, id],
      });
    await diagnose("knowledge_gap");
    // The system of record contradicts it (the verifier's overwrite), then a lease-expired diagnosis runs again.
    await t.db.execute({ sql: "UPDATE monitoring_results SET verification_status = 'fail' WHERE id = ?", args: [id] });
    await diagnose("tool_error");
    await diagnose("tool_error");
    expect(await day(t.db)).toEqual({
      judged: 1,
      unfulfilled: 1,
      byCategory: { tool_error: 1 },
      flagged: 1,
      flags: { wrong_language: 0, off_topic: 1, repetitive: 0, failed_to_answer: 0, harmful: 0 },
    });
    // Its cost too: one conversation, not measured (no observation carried a cost), the judge's spend once.
    const hour = Math.floor(AT / HOUR) * HOUR;
    expect(await readCost(t.db, hour - DAY, hour + HOUR)).toEqual([
      { key: String(hour), conversations: 1, measured: 0, fulfilled: 0, botUsd: null, judgeUsd: 0.001 },
    ]);
  });

  it("loses and doubles nothing when the process dies between the verdict and the end of its batch", async () => {
    t = await createTestDb();
    const claim = await claimed(t.db, "conv-2");
    const statements = storeVerdict(claim, "analyzed", verdict("conv-2", "fail"), usage, AT);
    // The verdict is written, then the process dies before the batch commits.
    const dying = createDb({ url: t.url });
    const tx = await dying.transaction("write");
    for (const s of statements.slice(0, -1)) await tx.execute(s);
    expect(Number((await tx.execute("SELECT COUNT(*) AS n FROM monitoring_results")).rows[0]!.n)).toBe(1);
    // Its connection goes away uncommitted (what SQLite sees of a dead process).
    tx.close();
    dying.close();
    expect(await day(t.db)).toMatchObject({ judged: 0, unfulfilled: 0 });
    // The claim is still open: the next cycle writes the whole batch, counted once.
    await t.db.batch(statements, "write");
    await t.db.batch(storeVerdict(claim, "analyzed", verdict("conv-2", "fail"), usage, AT), "write");
    expect(await day(t.db)).toMatchObject({ judged: 1, unfulfilled: 1, flagged: 1 });
    expect(await day(t.db)).toEqual(await scanned(t.db, Math.floor(AT / HOUR) * HOUR - DAY, Math.floor(AT / HOUR) * HOUR + HOUR));
  });
});
