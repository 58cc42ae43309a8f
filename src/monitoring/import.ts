import type { InStatement, InValue } from "@libsql/client";
import type { Deps } from "../deps.js";
import { UpstreamError } from "../errors.js";
import { pageSize, type LangfuseApi, type RequestGate, type TraceObservation, type TraceSource } from "../integrations/langfuse.js";
import { MAX_SLICE_MS, readPass, type PassIo, type PassState, type Shape } from "./import-pass.js";
import { isInternal, observationRow, poisonReason, sessionKeys } from "./observation-rows.js";
import { insertObservations } from "./store/sessions.js";
import type { MonitorSettings } from "./settings.js";
import { getState, setState, stateUpsert } from "./store/state.js";

export interface ImportSummary {
  api: LangfuseApi | null;
  requests: number;
  read: number;
  /** Observations stored, and stored ones whose cost Langfuse priced since they were first read. */
  imported: number;
  internal: number;
  /** Observations whose I/O was replaced or cut (too deep, too large), each logged with its id. */
  bounded: number;
  /** Observations that could not be stored (a start time that is no date, an id that is no string…), each logged with its id. */
  poisoned: number;
  /** Pages Langfuse could not serve (422, timeout, 5xx) that were asked again smaller. */
  narrowed: number;
  slices: number;
  /** Everything up to `now` was read. */
  caughtUp: boolean;
  watermark: string;
  /** Everything before this was read after Langfuse's read lag had passed: its sessions may be judged. */
  settled: string;
  lagMs: number;
  error?: string;
  retryAfterMs?: number;
}

// Ids of unstorable observations remembered so each is logged once (a range is read twice).
const POISON_REMEMBERED = 500;
// A remembered v1 is probed for v2 again this often (a self-hosted upgrade to v4 drops v1).
const REPROBE_MS = 24 * 3600_000;

/** Where everything before a start time has been read once, and read again after Langfuse's lag. */
export async function settledMark(db: Deps["db"]): Promise<number> {
  return Number((await getState(db, "settled")) ?? 0);
}

/**
 * Imports observations in two passes over start time, each read in oldest-first slices whose
 * position survives the cycle. The first pass reads what is new, up to `now`. Langfuse's read path
 * lags ingestion (and a span is exported when it ends, with its start time), so the second pass
 * reads each range once more when Langfuse's lag (`MONITOR_OVERLAP_MINUTES`) has passed its end;
 * a range first read that late needs no second read. Only sessions that ended before the settled
 * mark are judged. Observations are deduplicated by id, so a re-read costs requests, not rows.
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
  const watermark = Number((await getState(db, "watermark")) ?? now - s.initialLookbackMs);
  // Before the second pass existed every cycle re-read the overlap: that part is not settled.
  const settled = Number((await getState(db, "settled")) ?? ((await getState(db, "watermark")) ? watermark - s.overlapMs : watermark));
  const ahead = JSON.parse((await getState(db, "import_ahead")) ?? "{}") as { first?: PassState["ahead"]; settle?: PassState["ahead"] };
  const first: PassState = { mark: watermark, ahead: ahead.first };
  const settle: PassState = { mark: Math.min(settled, watermark), ahead: ahead.settle };
  let rememberedApi = (await getState(db, "langfuse_api")) as LangfuseApi | undefined;
  const probedAt = Number((await getState(db, "langfuse_api_at")) ?? 0);
  const api = rememberedApi === "v1" && now - probedAt >= REPROBE_MS ? undefined : rememberedApi;
  const shape: Shape = {
    api,
    // No history yet: the whole window in one slice, read newest first until its density is known.
    sliceMs: Number((await getState(db, "slice_ms")) ?? MAX_SLICE_MS),
    limit: Number((await getState(db, "page_limit")) ?? pageSize(api)),
  };
  const sum = { read: 0, imported: 0, internal: 0, bounded: 0, poisoned: 0, narrowed: 0, slices: 0 };
  const position = (): InStatement[] => [
    stateUpsert("watermark", String(first.mark), now),
    stateUpsert("settled", String(settle.mark), now),
    stateUpsert("import_ahead", JSON.stringify({ first: first.ahead, settle: settle.ahead }), now),
    stateUpsert("slice_ms", String(shape.sliceMs), now),
    stateUpsert("page_limit", String(shape.limit), now),
  ];

  // A range is read twice: what could not be stored is logged on its first read only.
  const logPoisonOnce = async (poisoned: { id: string; reason: string }[]) => {
    const seen: string[] = JSON.parse((await getState(db, "poison_logged")) ?? "[]");
    const fresh = poisoned.filter((p) => !seen.includes(p.id));
    for (const p of fresh) log.warn("observation skipped: cannot be stored", { observation_id: p.id, reason: p.reason });
    if (fresh.length)
      await setState(db, "poison_logged", JSON.stringify([...seen, ...fresh.map((p) => p.id)].slice(-POISON_REMEMBERED)), now);
  };

  const store = async (page: TraceObservation[]) => {
    sum.read += page.length;
    const valid: TraceObservation[] = [];
    const poisoned: { id: string; reason: string }[] = [];
    for (const o of page) {
      const reason = poisonReason(o);
      if (reason) poisoned.push({ id: String(o.id).slice(0, 200), reason });
      else if (isInternal(o, s)) sum.internal++;
      else valid.push(o);
    }
    sum.poisoned += poisoned.length;
    if (poisoned.length) await logPoisonOnce(poisoned);
    const { keyOf, moves } = await sessionKeys(db, valid, now);
    const rows: InValue[][] = valid.map((o) =>
      observationRow(o, keyOf(o), s, now, (problem) => {
        sum.bounded++;
        log.warn("observation i/o bounded", { observation_id: o.id, trace_id: o.traceId, reason: problem });
      }),
    );
    // One statement per page: the trigger of migration 13 books each row it really adds on its session.
    const results = await db.batch([...moves, ...(rows.length ? [insertObservations(rows)] : []), ...position()], "write");
    if (rows.length) sum.imported += results[moves.length]!.rowsAffected;
  };

  const io: PassIo = {
    source,
    gate,
    shape,
    requests: 0,
    store,
    save: async () => void (await db.batch(position(), "write")),
    async sliceDone(pass, start, slice) {
      sum.slices++;
      // Read late enough to need no second read: the settled mark follows, if it had reached the slice.
      if (pass === first && slice.settles && settle.mark === start && !settle.ahead) settle.mark = slice.end;
      await db.batch(position(), "write");
    },
    async apiSeen(seen) {
      if (seen === rememberedApi && shape.api !== undefined) return;
      await setState(db, "langfuse_api", seen, now);
      await setState(db, "langfuse_api_at", String(now), now);
      if (seen !== rememberedApi) log.info("langfuse api detected", { api: seen });
      rememberedApi = seen;
    },
    narrowed(reason) {
      sum.narrowed++;
      log.warn("langfuse page not served: asking for less", { reason, limit: shape.limit, slice_ms: shape.sliceMs });
    },
  };

  let error: UpstreamError | undefined;
  const settleAt = now - s.overlapMs;
  try {
    // The second read first: it never passes the first, so under load both go on (and the first's
    // lag raises monitoring_lag) instead of new reads starving the one that lets sessions be judged.
    await readPass(io, settle, Math.min(first.mark, settleAt), Infinity);
    await readPass(io, first, now, settleAt);
  } catch (e) {
    error = e instanceof UpstreamError ? e : new UpstreamError(String(e), false, { cause: e });
  }
  const caughtUp = !error && first.mark >= now;
  await setState(db, "import_status", JSON.stringify({ at: now, caughtUp, error: error?.message ?? null }), now);
  return {
    api: shape.api ?? null,
    requests: io.requests,
    ...sum,
    caughtUp,
    watermark: new Date(first.mark).toISOString(),
    settled: new Date(settle.mark).toISOString(),
    lagMs: Math.max(0, now - first.mark),
    ...(error ? { error: error.message, retryAfterMs: error.retryAfterMs } : {}),
  };
}
