import { randomUUID } from "node:crypto";
import type { LangfuseClient } from "@langfuse/client";
import { errorMessage, UpstreamError } from "../errors.js";
import { parseRetryAfter } from "../shared/retry-after.js";
import { observationCostUsd, type ServedCost } from "./langfuse-cost.js";

/** An observation as Vigil needs it, from either Langfuse read API. I/O is as served: v2 sends raw JSON strings. */
export interface TraceObservation {
  id: string;
  traceId: string | null;
  sessionId: string | null;
  traceName: string | null;
  tags: string[];
  name: string | null;
  type: string;
  startTime: number;
  level: string | null;
  statusMessage: string | null;
  input: unknown;
  output: unknown;
  /** Langfuse's environment of the observation ("default" when the app set none). */
  environment: string | null;
  /** The trace's release (the app's deployment), as the app set it. */
  release: string | null;
  /** The trace's version (v1) or the observation's own (v2, where a trace has none apart). */
  version: string | null;
  /** The Langfuse prompt a generation was made from, where it names one. */
  promptName: string | null;
  promptVersion: number | null;
  /** What the observation cost the bot in USD, as Langfuse priced it; null when Langfuse knows no cost. */
  costUsd: number | null;
}

interface ScoreFailure {
  id: string;
  reason: string;
  refused: boolean;
}

export interface SessionScore {
  id: string;
  /** A session's scores go on the session; a session-less conversation's on its trace. */
  sessionId?: string;
  traceId?: string;
  name: string;
  value: string | number;
  dataType: "CATEGORICAL" | "NUMERIC" | "BOOLEAN";
  comment?: string;
  /** The judged observations' environment, so Langfuse's environment filter shows the score beside them. */
  environment?: string;
}

/** What an observation takes from its trace: v2 serves it on the observation, v1 only on the trace. */
interface TraceInfo {
  sessionId: string | null;
  name: string | null;
  tags: string[];
  environment?: string | null;
  release?: string | null;
  version?: string | null;
}

/** The fields both APIs serve alike (v1 may hand `startTime` over as a Date). */
interface ServedObservation extends ServedCost {
  id: string;
  traceId?: string | null;
  name?: string | null;
  type: string;
  startTime: string | Date;
  level?: string | null;
  statusMessage?: string | null;
  input?: unknown;
  output?: unknown;
  environment?: string | null;
  version?: string | null;
  promptName?: string | null;
  promptVersion?: number | null;
}

// ClickHouse keeps unset strings as "" (session_id is a non-nullable String column:
// packages/shared/clickhouse/migrations/unclustered/0040_create_events_core.up.sql), and v2 serves
// them so: "" is no session, no trace name. Anything else is passed on as served, for the import to
// validate observation by observation.
const blank = <T>(v: T | null | undefined): T | null => (v === undefined || v === null || (v as unknown) === "" ? null : v);

const toObservation = (o: ServedObservation, trace: TraceInfo | undefined): TraceObservation => ({
  id: o.id,
  traceId: blank(o.traceId),
  sessionId: blank(trace?.sessionId),
  traceName: blank(trace?.name),
  tags: trace?.tags ?? [],
  name: blank(o.name),
  type: o.type,
  startTime: o.startTime instanceof Date ? o.startTime.getTime() : Date.parse(String(o.startTime)),
  level: blank(o.level),
  statusMessage: blank(o.statusMessage),
  input: o.input ?? null,
  output: o.output ?? null,
  environment: blank(o.environment) ?? blank(trace?.environment),
  release: blank(trace?.release),
  version: blank(trace?.version) ?? blank(o.version),
  promptName: blank(o.promptName),
  promptVersion: o.promptVersion ?? null,
  costUsd: observationCostUsd(o),
});

// A v1 trace (fern/apis/server/definition/trace.yml, fields=core keeps release and version).
const traceInfo = (t: {
  sessionId?: string | null;
  name?: string | null;
  tags?: string[];
  environment?: string | null;
  release?: string | null;
  version?: string | null;
}): TraceInfo => ({
  sessionId: t.sessionId ?? null,
  name: t.name ?? null,
  tags: t.tags ?? [],
  environment: t.environment ?? null,
  release: t.release ?? null,
  version: t.version ?? null,
});

export type LangfuseApi = "v2" | "v1";

/**
 * Decides whether one more request may start now (the per-minute rate budget and the time
 * left): the milliseconds it may take (its timeout), or 0 when none may start.
 */
export type RequestGate = () => number;

interface SliceRead {
  api: LangfuseApi;
  requests: number;
  /** Every page of the window was read. */
  complete: boolean;
}

/**
 * A window of start times read newest first, page by page: `to` is exclusive, as Langfuse filters
 * it (`toStartTime` is `start_time <`, packages/shared/src/server/queries/public-api-filter-builder.ts).
 */
interface SliceWindow {
  from: number;
  to: number;
  api?: LangfuseApi;
  /** Rows per page; default the API's largest. */
  limit?: number;
}

/** The narrow interface the monitor needs from Langfuse. */
export interface TraceSource {
  /** Reads the observations that started in [from, to), newest first, page by page, while `gate` allows requests. */
  readSlice(window: SliceWindow, gate: RequestGate, onPage: (page: TraceObservation[]) => Promise<void>): Promise<SliceRead>;
  /**
   * Writes scores in batches; returns the ids that failed: `refused` when Langfuse refused the
   * score itself (400: sending it again cannot help), otherwise not sent or not taken (retry later).
   */
  writeScores(scores: SessionScore[], gate: RequestGate, now: number): Promise<{ written: string[]; failed: ScoreFailure[] }>;
}

const PAGE_V2 = 1000;
const PAGE_V1 = 100;
/** The largest page of the API in use: what a slice should hold. */
export const pageSize = (api: LangfuseApi | undefined) => (api === "v1" ? PAGE_V1 : PAGE_V2);
// trace_context carries the trace's release, `prompt` a generation's prompt name and version, `usage`
// its costDetails and totalCost (fern/apis/server/definition/observations.yml, "Field Selection").
const V2_FIELDS = "core,basic,io,trace_context,prompt,usage";
// A trace can start before its observations: traces are listed with this margin, and a trace
// that started even earlier is fetched by id (fields=core) so its session is never lost.
const TRACE_MARGIN_MS = 3600_000;
const NO_BUDGET = "no time or request budget left this cycle";
// Langfuse bounds a batch at 3.5 MB; Vigil's score events are < 1 kB each.
const SCORES_PER_BATCH = 200;

/**
 * Langfuse through its maintained client. Langfuse v4 (and Cloud) serve GET /api/public/v2/observations
 * (cursor pages, newest first, I/O as raw strings); self-hosted v3 only the v1 traces/observations
 * API. Every call gets an explicit timeout and no SDK retries: the monitor's watermark and
 * Retry-After handling retry across cycles, within the per-minute budget.
 */
export function createLangfuseSource(options: {
  publicKey: string;
  secretKey: string;
  baseUrl: string;
  timeoutSeconds: number;
}): TraceSource {
  // The SDK is imported on first use, so function instances that never read Langfuse (all but
  // the monitor cron's) do not parse it at cold start.
  let client: Promise<LangfuseClient> | undefined;
  const langfuse = () =>
    (client ??= import("@langfuse/client").then(
      ({ LangfuseClient: Client }) => new Client({ publicKey: options.publicKey, secretKey: options.secretKey, baseUrl: options.baseUrl }),
    ));
  // The gate's answer bounds each call: nothing runs past the invocation's deadline.
  const call = (ms: number) => ({ timeoutInSeconds: Math.min(options.timeoutSeconds, ms / 1000), maxRetries: 0 });
  const iso = (ms: number) => new Date(ms).toISOString();

  async function readV2(
    from: number,
    to: number,
    limit: number,
    gate: RequestGate,
    onPage: (p: TraceObservation[]) => Promise<void>,
  ): Promise<SliceRead> {
    let cursor: string | undefined;
    let requests = 0;
    let restarted = false;
    for (;;) {
      const ms = gate();
      if (!ms) return { api: "v2", requests, complete: false };
      let page;
      try {
        requests++;
        page = await (await langfuse()).api.observations.getMany(
          { fromStartTime: iso(from), toStartTime: iso(to), limit, fields: V2_FIELDS, ...(cursor ? { cursor } : {}) },
          call(ms),
        );
      } catch (error) {
        // An expired cursor: read the slice again (imports are deduplicated by id).
        if (cursor && statusOf(error) === 400 && !restarted) {
          restarted = true;
          cursor = undefined;
          continue;
        }
        throw Object.assign(error as object, { requests });
      }
      await onPage(
        page.data.map((o) =>
          toObservation(o, { sessionId: o.sessionId ?? null, name: o.traceName ?? null, tags: o.tags ?? [], release: o.release ?? null }),
        ),
      );
      cursor = page.meta.cursor ?? undefined;
      if (!cursor || page.data.length === 0) return { api: "v2", requests, complete: true };
    }
  }

  async function readV1(
    from: number,
    to: number,
    limit: number,
    gate: RequestGate,
    onPage: (p: TraceObservation[]) => Promise<void>,
  ): Promise<SliceRead> {
    const traces = new Map<string, TraceInfo>();
    let requests = 0;
    const incomplete = (): SliceRead => ({ api: "v1", requests, complete: false });
    // fields=core: without it every trace comes back with its I/O, observations and scores.
    for (let page = 1; ; page++) {
      const ms = gate();
      if (!ms) return incomplete();
      requests++;
      const res = await (await langfuse()).api.trace.list(
        { fromTimestamp: iso(from - TRACE_MARGIN_MS), toTimestamp: iso(to), limit: PAGE_V1, page, fields: "core" },
        call(ms),
      );
      for (const t of res.data) traces.set(t.id, traceInfo(t));
      if (page >= res.meta.totalPages || res.data.length === 0) break;
    }
    for (let page = 1; ; page++) {
      const ms = gate();
      if (!ms) return incomplete();
      requests++;
      const res = await (await langfuse()).api.legacy.observationsV1.getMany(
        { fromStartTime: iso(from), toStartTime: iso(to), limit, page },
        call(ms),
      );
      for (const id of new Set(res.data.map((o) => o.traceId).filter((id): id is string => !!id && !traces.has(id)))) {
        const traceMs = gate();
        if (!traceMs) return incomplete();
        requests++;
        const t = await (await langfuse()).api.trace.get(id, { fields: "core" }, call(traceMs));
        traces.set(id, traceInfo(t));
      }
      await onPage(res.data.map((o) => toObservation(o, o.traceId ? traces.get(o.traceId) : undefined)));
      if (page >= res.meta.totalPages || res.data.length === 0) return { api: "v1", requests, complete: true };
    }
  }

  /** One POST /api/public/scores per score, into the caller's tallies (kept if a later one throws). */
  async function postEach(scores: SessionScore[], gate: RequestGate, written: string[], failed: ScoreFailure[]) {
    for (const s of scores) {
      const ms = gate();
      if (!ms) {
        failed.push({ id: s.id, reason: NO_BUDGET, refused: false });
        continue;
      }
      try {
        await (await langfuse()).api.scores.create({ ...s, source: "API" } as never, call(ms));
      } catch (error) {
        if (statusOf(error) !== 400) throw error;
        failed.push({ id: s.id, reason: `400: ${errorMessage(error)}`.slice(0, 200), refused: true });
        continue;
      }
      written.push(s.id);
    }
  }

  return {
    async readSlice(window, gate, onPage) {
      const spent = { n: 0 };
      const counted: RequestGate = () => {
        const ms = gate();
        if (ms) spent.n++;
        return ms;
      };
      try {
        // A remembered v1 is still tried first; a v1 404 means the server moved to v4 (events only).
        const order: LangfuseApi[] = window.api === "v1" ? ["v1", "v2"] : ["v2", "v1"];
        for (const [i, api] of order.entries()) {
          try {
            const limit = Math.min(window.limit ?? pageSize(api), pageSize(api));
            const read = await (api === "v2" ? readV2 : readV1)(window.from, window.to, limit, counted, onPage);
            return { ...read, requests: spent.n };
          } catch (error) {
            if (statusOf(error) !== 404 || i === order.length - 1) throw error;
          }
        }
        throw new Error("unreachable");
      } catch (error) {
        throw Object.assign(upstream("langfuse read", error), { requests: spent.n });
      }
    },
    async writeScores(scores, gate, now) {
      const written: string[] = [];
      const failed: ScoreFailure[] = [];
      try {
        for (let i = 0; i < scores.length; i += SCORES_PER_BATCH) {
          const chunk = scores.slice(i, i + SCORES_PER_BATCH);
          const ms = gate();
          if (!ms) {
            failed.push(...chunk.map((s) => ({ id: s.id, reason: NO_BUDGET, refused: false })));
            continue;
          }
          // The 207 answer names events by their envelope id; the score's own id (body.id) is
          // what score-create upserts on, so a retried score replaces itself.
          const events = chunk.map((s) => ({
            type: "score-create" as const,
            id: randomUUID(),
            timestamp: new Date(now).toISOString(),
            body: { ...s },
          }));
          let res;
          try {
            res = await (await langfuse()).api.ingestion.batch({ batch: events }, call(ms));
          } catch (error) {
            // A server without the legacy ingestion route (404, or 410 Gone for a sunset
            // endpoint): one score per request instead. Langfuse v4 itself keeps accepting
            // score-create there (web/src/pages/api/public/ingestion.ts, events_only mode).
            const status = statusOf(error);
            if (status !== 404 && status !== 410) throw error;
            await postEach(scores.slice(i), gate, written, failed);
            return { written, failed };
          }
          // processEventBatch.ts answers a score that fails its schema 400 "Invalid request data" with
          // the zod message; other statuses in the 207 (401, 404, 500) are not the score's fault.
          const refused = new Map<string, ScoreFailure>();
          for (const e of res.errors ?? []) {
            const score = events.find((ev) => ev.id === e.id)?.body.id;
            const detail = typeof e.error === "string" ? e.error : JSON.stringify(e.error ?? "");
            if (score)
              refused.set(score, {
                id: score,
                reason: `${e.status}: ${e.message ?? ""} ${detail}`.trim().slice(0, 200),
                refused: e.status === 400,
              });
          }
          for (const s of chunk) {
            const failure = refused.get(s.id);
            if (failure) failed.push(failure);
            else written.push(s.id);
          }
        }
        return { written, failed };
      } catch (error) {
        throw Object.assign(upstream("langfuse score", error), { written });
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "statusCode" in error ? (error as { statusCode?: number }).statusCode : undefined;
}

/**
 * A read failure a smaller request may avoid: 422 is ClickHouse out of memory or time ("Your query
 * could not be completed. Please narrow your request", web/src/features/public-api/server/withMiddlewares.ts),
 * and a timeout or 5xx on a page of I/O is most often the same load. A 429 is not: it is waited out.
 */
export function narrowable(error: unknown): boolean {
  const status = statusOf(error instanceof UpstreamError ? error.cause : error);
  return status === undefined || status === 422 || status >= 500;
}

function upstream(what: string, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const status = statusOf(error);
  const headers = (error as { rawResponse?: { headers?: Headers } }).rawResponse?.headers;
  const retryable = status === undefined || status === 422 || status === 429 || status >= 500;
  return new UpstreamError(`${what} failed${status ? ` with HTTP ${status}` : `: ${errorMessage(error)}`}`, retryable, {
    cause: error,
    retryAfterMs: typeof headers?.get === "function" ? parseRetryAfter(headers, Date.now()) : undefined,
  });
}
