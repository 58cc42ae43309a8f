import type { InStatement, InValue } from "@libsql/client";
import type { Deps } from "../deps.js";
import { UpstreamError } from "../errors.js";
import { pageSize, type LangfuseApi, type RequestGate, type TraceObservation, type TraceSource } from "../integrations/langfuse.js";
import { parseIo } from "./io-parse.js";
import type { MonitorSettings } from "./settings.js";
import { getState, setState } from "./state.js";

export interface ImportSummary {
  api: LangfuseApi | null;
  requests: number;
  read: number;
  imported: number;
  internal: number;
  /** Observations whose I/O was replaced or cut (too deep, too large), each logged with its id. */
  bounded: number;
  slices: number;
  /** Everything up to `now` was read. */
  caughtUp: boolean;
  watermark: string;
  lagMs: number;
  error?: string;
  retryAfterMs?: number;
}

const MIN_SLICE_MS = 60_000;
const MAX_SLICE_MS = 7 * 24 * 3600_000;
// A slice aims at this share of a page, so a busier hour still fits in one request.
const PAGE_FILL = 0.7;
// A remembered v1 is probed for v2 again this often (a self-hosted upgrade to v4 drops v1).
const REPROBE_MS = 24 * 3600_000;

/** A session is its Langfuse session id; an observation without one stands in its own trace. */
const sessionKeyOf = (o: TraceObservation) => o.sessionId ?? `trace:${o.traceId ?? o.id}`;

function isInternal(o: TraceObservation, s: MonitorSettings): boolean {
  const name = o.traceName ?? "";
  // Vigil's own judge calls, if anyone traces them, are never judged.
  if (name.startsWith("vigil-") || o.tags.includes("vigil-judge")) return true;
  return s.internalNames.has(name) || o.tags.some((t) => s.internalTags.has(t));
}

/**
 * Imports observations since the persistent watermark in oldest-first time slices. Langfuse
 * pages newest first and rate-limits per minute, so a backlog read as one window would re-read
 * its newest pages forever; a slice is read whole, then the watermark moves past it. A slice
 * that needed several pages is halved for the next one, a sparse one doubled. The import stops
 * when `gate` refuses (rate or time budget) and the next cycle goes on from the watermark.
 * Observations are deduplicated by id, so re-reading the overlap margin costs nothing.
 */
export async function importObservations(
  deps: Deps,
  source: TraceSource,
  s: MonitorSettings,
  now: number,
  gate: RequestGate,
): Promise<ImportSummary> {
  const { db } = deps;
  const log = deps.log.child({ job: "monitor" });
  let watermark = Number((await getState(db, "watermark")) ?? now - s.initialLookbackMs);
  // No history yet: try the whole window in one slice; its first page tells how dense it is.
  let sliceMs = Number((await getState(db, "slice_ms")) ?? MAX_SLICE_MS);
  let rememberedApi = (await getState(db, "langfuse_api")) as LangfuseApi | undefined;
  const probedAt = Number((await getState(db, "langfuse_api_at")) ?? 0);
  let api = rememberedApi === "v1" && now - probedAt >= REPROBE_MS ? undefined : rememberedApi;
  const sum = { requests: 0, read: 0, imported: 0, internal: 0, bounded: 0, slices: 0 };
  let from = watermark - s.overlapMs;
  let error: UpstreamError | undefined;

  const onPage = async (page: TraceObservation[]) => {
    sum.read += page.length;
    const rows: InValue[][] = [];
    for (const o of page) {
      if (isInternal(o, s)) {
        sum.internal++;
        continue;
      }
      rows.push(
        observationRow(o, s, now, (problem) => {
          sum.bounded++;
          log.warn("observation i/o bounded", { observation_id: o.id, trace_id: o.traceId, reason: problem });
        }),
      );
    }
    if (rows.length === 0) return;
    // One statement per page: the trigger of migration 13 books each row it really adds on its session.
    const [inserted] = await db.batch([insertObservations(rows)], "write");
    sum.imported += inserted!.rowsAffected;
  };

  while (from < now) {
    // The first slice also covers the overlap margin, so it always reaches past the watermark.
    const to = Math.min(Math.max(from, watermark) + sliceMs, now);
    let read;
    try {
      read = await source.readSlice({ from, to, api, onePage: sliceMs > MIN_SLICE_MS }, gate, onPage);
    } catch (e) {
      sum.requests += (e as { requests?: number }).requests ?? 0;
      error = e instanceof UpstreamError ? e : new UpstreamError(String(e), false, { cause: e });
      break;
    }
    sum.requests += read.requests;
    // Nothing was asked (no budget left): nothing was learnt about the API either.
    if (read.requests === 0) break;
    if (read.api !== rememberedApi || api === undefined) {
      await setState(db, "langfuse_api", read.api, now);
      await setState(db, "langfuse_api_at", String(now), now);
      if (read.api !== rememberedApi) log.info("langfuse api detected", { api: read.api });
      rememberedApi = read.api;
    }
    api = read.api;
    const target = Math.floor((read.density.spanMs * PAGE_FILL * pageSize(api)) / Math.max(1, read.density.count));
    if (read.tooLarge) {
      // The slice holds more than a page: read it again, narrowed to what one page holds.
      sliceMs = Math.max(MIN_SLICE_MS, Math.min(Math.floor(sliceMs / 2), target));
      continue;
    }
    if (!read.complete) break; // out of budget inside a slice: the next cycle reads it again
    sum.slices++;
    watermark = Math.max(watermark, to);
    if (to < now) sliceMs = Math.max(MIN_SLICE_MS, Math.min(MAX_SLICE_MS, sliceMs * 4, target));
    await db.batch(
      [
        {
          sql: "INSERT INTO monitor_state (key, value, updated_at) VALUES ('watermark', ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
          args: [String(watermark), now],
        },
        {
          sql: "INSERT INTO monitor_state (key, value, updated_at) VALUES ('slice_ms', ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
          args: [String(sliceMs), now],
        },
      ],
      "write",
    );
    from = to;
  }
  await setState(db, "slice_ms", String(sliceMs), now);
  const caughtUp = !error && watermark >= now;
  await setState(db, "import_status", JSON.stringify({ at: now, caughtUp, error: error?.message ?? null }), now);
  return {
    api: api ?? null,
    ...sum,
    caughtUp,
    watermark: new Date(watermark).toISOString(),
    lagMs: Math.max(0, now - watermark),
    ...(error ? { error: error.message, retryAfterMs: error.retryAfterMs } : {}),
  };
}

function observationRow(o: TraceObservation, s: MonitorSettings, now: number, bounded: (problem: string) => void): InValue[] {
  const ended = s.endMarkers.has(o.traceName ?? "") || s.endMarkers.has(o.name ?? "") || o.tags.some((t) => s.endMarkers.has(t)) ? 1 : 0;
  const input = parseIo(o.input);
  const output = parseIo(o.output, "output");
  const problem = [input.problem && `input ${input.problem}`, output.problem && `output ${output.problem}`].filter(Boolean).join("; ");
  if (problem) bounded(problem);
  const data = JSON.stringify({
    type: o.type,
    name: o.name,
    traceName: o.traceName,
    level: o.level,
    statusMessage: o.statusMessage,
    input: input.value,
    output: output.value,
    environment: o.environment,
  });
  return [o.id, sessionKeyOf(o), o.traceId, o.startTime, data, ended, now];
}

function insertObservations(rows: InValue[][]): InStatement {
  return {
    sql: `INSERT INTO monitored_observations (id, session_key, trace_id, start_time, data, ends_session, imported_at)
          VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT (id) DO NOTHING`,
    args: rows.flat(),
  };
}
