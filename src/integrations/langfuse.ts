import { LangfuseClient } from "@langfuse/client";
import { UpstreamError } from "../errors.js";

/** An observation as Vigil needs it, from either Langfuse read API. */
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
}

export type LangfuseApi = "v2" | "v1";

/** The narrow interface the monitor needs from Langfuse. */
export interface TraceSource {
  /** Reads every observation that started in [from, to), page by page. */
  readObservations(window: { from: number; to: number; api?: LangfuseApi }, onPage: (page: TraceObservation[]) => Promise<void>): Promise<{ api: LangfuseApi; requests: number }>;
  writeScore(score: SessionScore): Promise<void>;
}

const V2_FIELDS = "core,basic,io,trace_context";
const PAGE_V2 = 1000;
const PAGE_V1 = 100;

/**
 * Langfuse through its maintained client. Langfuse v4 (and Cloud since 2026-11-16) only has the
 * v2 observations API; self-hosted v3 only the v1 traces/observations API. v2 answering 404
 * means v1. Every call gets an explicit timeout and no SDK retries: a failed import is retried
 * by the next cycle from the same watermark, which costs nothing and never eats the budget.
 */
export function createLangfuseSource(options: { publicKey: string; secretKey: string; baseUrl: string; timeoutSeconds: number }): TraceSource {
  const client = new LangfuseClient({ publicKey: options.publicKey, secretKey: options.secretKey, baseUrl: options.baseUrl });
  const call = { timeoutInSeconds: options.timeoutSeconds, maxRetries: 0 };
  const iso = (ms: number) => new Date(ms).toISOString();

  async function readV2(from: number, to: number, onPage: (p: TraceObservation[]) => Promise<void>) {
    let cursor: string | undefined;
    let requests = 0;
    let restarted = false;
    for (;;) {
      let page;
      try {
        requests++;
        page = await client.api.observations.getMany({ fromStartTime: iso(from), toStartTime: iso(to), limit: PAGE_V2, fields: V2_FIELDS, ...(cursor ? { cursor } : {}) }, call);
      } catch (error) {
        // An expired cursor: start the window again (imports are deduplicated by id).
        if (cursor && statusOf(error) === 400 && !restarted) {
          restarted = true;
          cursor = undefined;
          continue;
        }
        throw error;
      }
      await onPage(
        page.data.map((o) => ({
          id: o.id,
          traceId: o.traceId,
          sessionId: o.sessionId ?? null,
          traceName: o.traceName ?? null,
          tags: o.tags ?? [],
          name: o.name ?? null,
          type: o.type,
          startTime: Date.parse(o.startTime),
          level: o.level ?? null,
          statusMessage: o.statusMessage ?? null,
          input: o.input,
          output: o.output,
        })),
      );
      cursor = page.meta.cursor ?? undefined;
      if (!cursor || page.data.length === 0) return requests;
    }
  }

  async function readV1(from: number, to: number, onPage: (p: TraceObservation[]) => Promise<void>) {
    // Traces carry the session and tags; observations only their trace id. Traces are read
    // with a margin before the window because a trace can start before its observations.
    const traces = new Map<string, { sessionId: string | null; name: string | null; tags: string[] }>();
    let requests = 0;
    for (let page = 1; ; page++) {
      requests++;
      const res = await client.api.trace.list({ fromTimestamp: iso(from - 3600_000), toTimestamp: iso(to), limit: PAGE_V1, page }, call);
      for (const t of res.data) traces.set(t.id, { sessionId: t.sessionId, name: t.name, tags: t.tags });
      if (page >= res.meta.totalPages || res.data.length === 0) break;
    }
    for (let page = 1; ; page++) {
      requests++;
      const res = await client.api.legacy.observationsV1.getMany({ fromStartTime: iso(from), toStartTime: iso(to), limit: PAGE_V1, page }, call);
      await onPage(
        res.data.map((o) => {
          const trace = o.traceId ? traces.get(o.traceId) : undefined;
          return {
            id: o.id,
            traceId: o.traceId ?? null,
            sessionId: trace?.sessionId ?? null,
            traceName: trace?.name ?? null,
            tags: trace?.tags ?? [],
            name: o.name ?? null,
            type: o.type,
            startTime: Date.parse(String(o.startTime)),
            level: o.level ?? null,
            statusMessage: o.statusMessage ?? null,
            input: o.input,
            output: o.output,
          };
        }),
      );
      if (page >= res.meta.totalPages || res.data.length === 0) break;
    }
    return requests;
  }

  return {
    async readObservations(window, onPage) {
      try {
        if (window.api !== "v1") {
          try {
            return { api: "v2", requests: await readV2(window.from, window.to, onPage) };
          } catch (error) {
            if (statusOf(error) !== 404) throw error;
          }
        }
        return { api: "v1", requests: await readV1(window.from, window.to, onPage) };
      } catch (error) {
        throw upstream("langfuse read", error);
      }
    },
    async writeScore(score) {
      try {
        await client.api.scores.create({ id: score.id, sessionId: score.sessionId, traceId: score.traceId, name: score.name, value: score.value, dataType: score.dataType, comment: score.comment, source: "API" }, call);
      } catch (error) {
        throw upstream("langfuse score", error);
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "statusCode" in error ? (error as { statusCode?: number }).statusCode : undefined;
}

function upstream(what: string, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const status = statusOf(error);
  const headers = (error as { rawResponse?: { headers?: Headers } }).rawResponse?.headers;
  const retryAfter = Number(headers?.get?.("retry-after"));
  const retryable = status === undefined || status === 429 || status >= 500;
  return new UpstreamError(`${what} failed${status ? ` with HTTP ${status}` : `: ${(error as Error).message ?? error}`}`, retryable, {
    cause: error,
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  });
}
