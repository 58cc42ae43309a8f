import type { CompleteExecution, CompleteRun, Progress, StartExecution, StartRun } from "../runs/schemas.js";
import { sleep } from "../shared/sleep.js";

/** Vigil answered with an error (4xx, or 5xx after the retries). */
export class VigilApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "VigilApiError";
  }
}

/** Vigil could not be reached at all. */
export class VigilUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `Cannot reach Vigil at ${url}: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`,
    );
    this.name = "VigilUnreachableError";
  }
}

export interface VigilClientOptions {
  url: string;
  apiKey?: string;
  fetch?: typeof fetch;
  /** Attempts after the first on 5xx and network errors; safe because every write is idempotent. */
  retries?: number;
  retryDelayMs?: number;
}

type Json = Record<string, any>;

/** The seed's programmatic usage, over HTTP. */
export function createVigilClient(options: VigilClientOptions) {
  const base = options.url.replace(/\/$/, "");
  const doFetch = options.fetch ?? fetch;
  const retries = options.retries ?? 3;
  const delay = options.retryDelayMs ?? 250;

  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    const init: RequestInit = {
      method,
      headers: {
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(base + path, init);
      } catch (error) {
        if (attempt < retries) {
          await sleep(delay * 2 ** attempt);
          continue;
        }
        throw new VigilUnreachableError(base, error);
      }
      if (res.status >= 500 && attempt < retries) {
        await res.body?.cancel();
        await sleep(delay * 2 ** attempt);
        continue;
      }
      if (!res.ok) {
        const err = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
        throw new VigilApiError(res.status, err.error?.code ?? "http_error", err.error?.message ?? `HTTP ${res.status}`);
      }
      return res;
    }
  }
  const json = async (method: string, path: string, body?: unknown) => (await (await request(method, path, body)).json()) as Json;
  const q = (params: Record<string, string | number | undefined>) => {
    const entries = Object.entries(params).filter(([, v]) => v !== undefined) as [string, string][];
    return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : "";
  };
  const enc = encodeURIComponent;

  return {
    startOrchestration: async (input: StartRun) => (await json("POST", "/api/runs", input)).run,
    reportProgress: async (sessionId: string, input: Progress) => (await json("POST", `/api/runs/${enc(sessionId)}/progress`, input)).run,
    completeOrchestration: async (sessionId: string, input: CompleteRun) =>
      (await json("POST", `/api/runs/${enc(sessionId)}/complete`, input)).run,
    startAgentExecution: async (input: StartExecution) => (await json("POST", "/api/executions", input)).execution,
    completeAgentExecution: async (agentSessionId: string, input: CompleteExecution) =>
      (await json("POST", `/api/executions/${enc(agentSessionId)}/complete`, input)).execution,
    getSystemHealth: (hours = 24) => json("GET", `/api/stats/health${q({ hours })}`),
    getPerformanceReport: async () => (await json("GET", "/api/stats/performance")).agents,
    getFailures: async (limit = 10) => (await json("GET", `/api/failures${q({ limit })}`)).failures,
    listRuns: (params: { status?: string; limit?: number; cursor?: string } = {}) => json("GET", `/api/runs${q(params)}`),
    getRun: (sessionId: string) => json("GET", `/api/runs/${enc(sessionId)}`),
    getExecutions: async (sessionId: string) => (await json("GET", `/api/runs/${enc(sessionId)}/executions`)).executions,
    getOrchestrationSummary: (sessionId: string) => json("GET", `/api/runs/${enc(sessionId)}/report`),
    getAgent: (name: string) => json("GET", `/api/agents/${enc(name)}`),
    cleanup: (olderThanDays: number) => json("DELETE", `/api/runs${q({ olderThanDays })}`),
    /** The export as a byte stream, for piping. */
    exportStream: async (session?: string) => (await request("GET", `/api/export${q({ session })}`)).body!,
    listAlerts: async (state?: string) => (await json("GET", `/api/alerts${q({ state })}`)).alerts,
    listVerdicts: async (filter: { status?: string; intent?: string; limit?: number } = {}) =>
      (await json("GET", `/api/monitoring/results${q(filter)}`)).results,
    stabilityReport: async (hours = 24) => (await request("GET", `/api/stability/report${q({ hours, format: "markdown" })}`)).text(),
  };
}

export type VigilClient = ReturnType<typeof createVigilClient>;
