import type { InStatement } from "@libsql/client";
import type { Deps } from "../deps.js";
import type { LangfuseApi, TraceObservation, TraceSource } from "../integrations/langfuse.js";
import type { MonitorSettings } from "./settings.js";
import { getState, setState } from "./state.js";

export interface ImportSummary {
  api: LangfuseApi;
  requests: number;
  read: number;
  imported: number;
  internal: number;
  from: string;
  to: string;
}

// Large fields are kept bounded: the transcript is bounded again when it is built.
const MAX_FIELD_CHARS = 20_000;

/** A session is its Langfuse session id; an observation without one stands in its own trace. */
export const sessionKeyOf = (o: TraceObservation) => o.sessionId ?? `trace:${o.traceId ?? o.id}`;

export function isInternal(o: TraceObservation, s: MonitorSettings): boolean {
  const name = o.traceName ?? "";
  // Vigil's own judge calls, if anyone traces them, are never judged.
  if (name.startsWith("vigil-") || o.tags.includes("vigil-judge")) return true;
  return s.internalNames.has(name) || o.tags.some((t) => s.internalTags.has(t));
}

/**
 * Imports every observation since the persistent watermark (minus an overlap margin, because
 * Langfuse reads lag ingestion), deduplicating by observation id. The watermark only moves
 * after the whole window was read, so a failed or late cycle — or an outage of any length —
 * is caught up by the next one and nothing is skipped.
 */
export async function importObservations(deps: Deps, source: TraceSource, s: MonitorSettings, now: number): Promise<ImportSummary> {
  const { db } = deps;
  const watermark = Number((await getState(db, "watermark")) ?? now - s.initialLookbackMs);
  const knownApi = (await getState(db, "langfuse_api")) as LangfuseApi | undefined;
  const from = watermark - s.overlapMs;
  let read = 0;
  let imported = 0;
  let internal = 0;

  const result = await source.readObservations({ from, to: now, api: knownApi }, async (page) => {
    read += page.length;
    const statements: InStatement[] = [];
    for (const o of page) {
      if (isInternal(o, s)) {
        internal++;
        continue;
      }
      statements.push(...observationStatements(o, s, now));
    }
    if (statements.length === 0) return;
    const results = await db.batch(statements, "write");
    imported += results.filter((_, i) => i % 2 === 0).filter((r) => r.rowsAffected === 1).length;
  });

  await setState(db, "watermark", String(now), now);
  if (result.api !== knownApi) {
    await setState(db, "langfuse_api", result.api, now);
    deps.log.info("langfuse api detected", { api: result.api });
  }
  return { api: result.api, requests: result.requests, read, imported, internal, from: new Date(from).toISOString(), to: new Date(now).toISOString() };
}

function observationStatements(o: TraceObservation, s: MonitorSettings, now: number): InStatement[] {
  const key = sessionKeyOf(o);
  const ended = s.endMarkers.has(o.traceName ?? "") || s.endMarkers.has(o.name ?? "") || o.tags.some((t) => s.endMarkers.has(t)) ? 1 : 0;
  const data = JSON.stringify({
    type: o.type,
    name: o.name,
    traceName: o.traceName,
    level: o.level,
    statusMessage: o.statusMessage,
    input: bound(o.input),
    output: bound(o.output),
  });
  return [
    {
      sql: "INSERT INTO monitored_observations (id, session_key, trace_id, start_time, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
      args: [o.id, key, o.traceId, o.startTime, data],
    },
    {
      // Only a new observation counts (changes()); new activity on a judged session queues it again.
      sql: `INSERT INTO monitor_sessions (session_key, first_activity, last_activity, observation_count, ended, state, updated_at)
            SELECT ?, ?, ?, 1, ?, 'pending', ? WHERE changes() = 1
            ON CONFLICT (session_key) DO UPDATE SET
              first_activity = min(first_activity, excluded.first_activity),
              last_activity = max(last_activity, excluded.last_activity),
              observation_count = observation_count + 1,
              ended = max(ended, excluded.ended),
              activity_version = activity_version + 1,
              attempts = CASE WHEN state IN ('analyzed', 'skipped', 'error') THEN 0 ELSE attempts END,
              state = CASE WHEN state IN ('analyzed', 'skipped', 'error') THEN 'pending' ELSE state END,
              updated_at = excluded.updated_at`,
      args: [key, o.startTime, o.startTime, ended, now],
    },
  ];
}

function bound(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text.length <= MAX_FIELD_CHARS) return value;
  return `${text.slice(0, MAX_FIELD_CHARS)}…[truncated ${text.length - MAX_FIELD_CHARS} chars]`;
}
