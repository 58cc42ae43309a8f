import type { Db } from "../db/client.js";
import type { Query } from "../db/query.js";

/**
 * Seed 003 judges production readiness on a *completed* 24-hour period "without interruption",
 * restarted after a critical issue. An observation period begins with the first delivery; a
 * silence longer than ZERO_DELIVERY_MINUTES, a critical red flag, or a person (after a fix)
 * starts a new one. Computed from rollups and restart rows each time: nothing to keep in step.
 */

type PeriodStart =
  | { kind: "deliveries_began"; silentFrom: number | null }
  | { kind: "restarted"; note: string }
  | { kind: "critical_issue"; flag: string };

export interface ObservationPeriod {
  /** null: all sources together. */
  source: string | null;
  /** When the current period began; null: nothing delivered yet, or the deliveries have stopped. */
  since: number | null;
  start: PeriodStart | null;
  lastDelivery: number | null;
  observedMs: number;
}

export interface Restart {
  at: number;
  source: string | null;
  note: string;
}

/** The newest restart of each source and of all sources (source null), up to `at`. */
export const latestRestarts = (at: number): Query<Restart[]> => ({
  statement: {
    sql: "SELECT MAX(at) AS at, source, note FROM observation_restarts WHERE at <= ? GROUP BY source",
    args: [at],
  },
  map: (rs) => rs.rows.map((r) => ({ at: Number(r.at), source: r.source === null ? null : String(r.source), note: String(r.note) })),
});

export async function restartObservation(db: Db, restart: Restart): Promise<void> {
  await db.execute({
    sql: "INSERT INTO observation_restarts (at, source, note) VALUES (?, ?, ?)",
    args: [restart.at, restart.source, restart.note],
  });
}

const MIN = 60_000;

/**
 * One period from where its deliveries began, the restarts that apply to it (a restart of all
 * sources restarts each), and, for the overall period, the newest critical red flag. Pure.
 */
export function observationPeriod(input: {
  source: string | null;
  began: { since: number; silentFrom: number | null; last: number } | undefined;
  restarts: Restart[];
  critical?: { at: number; kind: string };
  now: number;
  gapMs: number;
}): ObservationPeriod {
  const { began, now } = input;
  const none = { source: input.source, since: null, start: null, lastDelivery: began?.last ?? null, observedMs: 0 };
  // Stopped: the silence since the last delivery is itself longer than the limit.
  if (began === undefined || now - (began.last + MIN) > input.gapMs) return none;
  let since = began.since;
  let start: PeriodStart = { kind: "deliveries_began", silentFrom: began.silentFrom };
  for (const r of input.restarts) {
    if ((r.source === null || r.source === input.source) && r.at > since) {
      since = r.at;
      start = { kind: "restarted", note: r.note };
    }
  }
  if (input.critical && input.critical.at > since) {
    since = input.critical.at;
    start = { kind: "critical_issue", flag: input.critical.kind };
  }
  return { source: input.source, since, start, lastDelivery: began.last, observedMs: Math.max(0, now - since) };
}

/** "restarted: fix deployed" — why a period began, for a person. */
export function describeStart(p: ObservationPeriod): string {
  const s = p.start;
  if (p.since === null || s === null)
    return p.lastDelivery === null ? "nothing delivered yet" : `stopped: no deliveries since ${iso(p.lastDelivery + MIN)}`;
  if (s.kind === "restarted") return `restarted by a person${s.note ? `: ${s.note}` : ""}`;
  if (s.kind === "critical_issue") return `restarted by a critical issue (${s.flag})`;
  return s.silentFrom === null
    ? "deliveries began"
    : `deliveries resumed after ${Math.round((p.since - s.silentFrom) / MIN)} minutes without any`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
