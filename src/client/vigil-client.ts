import { hc } from "hono/client";
import type { AppType } from "../app.js";
import type { CompleteExecutionInput, CompleteRun, Progress, StartExecutionInput, StartRun } from "../runs/schemas.js";
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

/**
 * A fetch that retries 5xx answers and network errors with backoff, and turns what is still an
 * error into `VigilApiError` / `VigilUnreachableError`: what it returns is always a 2xx.
 */
function retryingFetch(base: string, options: VigilClientOptions): typeof fetch {
  const doFetch = options.fetch ?? fetch;
  const retries = options.retries ?? 3;
  const delay = options.retryDelayMs ?? 250;
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(input, init);
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
  };
}

/** Query values as they travel: strings, and no key for an absent value. */
const q = <T extends Record<string, string | number | undefined>>(params: T) =>
  Object.fromEntries(Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))) as {
    [K in keyof T]: string;
  };
// hono/client puts path parameters in the URL as given.
const enc = encodeURIComponent;

/**
 * What the seed's `startAgentExecution` passes as `orchestrationId`: the id `startOrchestration`
 * returned. Here that call returns the run, so the run itself (or its numeric `id`) is taken.
 */
type ExecutionStart = Omit<StartExecutionInput, "orchestrationId"> & { orchestrationId?: number | { id: number } };
const runId = (o: ExecutionStart["orchestrationId"]) => (typeof o === "object" ? o.id : o);

/** The id first, or inside the object as the seed's calls put it. */
function idAndBody<K extends string, B extends Partial<Record<K, string>>>(key: K, idOrBody: string | B, body?: B): [string, B] {
  if (typeof idOrBody === "string") return [idOrBody, body ?? ({} as B)];
  const id = idOrBody[key];
  if (id === undefined) throw new TypeError(`${key} is required`);
  return [id, idOrBody];
}

/** The seed's programmatic usage, over HTTP, typed by the app's own routes (`hc<AppType>`). */
export function createVigilClient(options: VigilClientOptions) {
  const base = options.url.replace(/\/$/, "");
  const { api } = hc<AppType>(base, {
    fetch: retryingFetch(base, options),
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
  });

  return {
    startOrchestration: async (input: StartRun) => (await (await api.runs.$post({ json: input })).json()).run,
    reportProgress: async (sessionId: string, input: Progress) =>
      (await (await api.runs[":sessionId"].progress.$post({ param: { sessionId: enc(sessionId) }, json: input })).json()).run,
    /** `(sessionId, body)`, or the seed's `({ sessionId, status, completedTasks, failedTasks })`. */
    completeOrchestration: async (sessionIdOrBody: string | CompleteRun, input?: CompleteRun) => {
      const [sessionId, json] = idAndBody("sessionId", sessionIdOrBody, input);
      return (await (await api.runs[":sessionId"].complete.$post({ param: { sessionId: enc(sessionId) }, json })).json()).run;
    },
    startAgentExecution: async ({ orchestrationId, ...input }: ExecutionStart) =>
      (await (await api.executions.$post({ json: { ...input, orchestrationId: runId(orchestrationId) } })).json()).execution,
    /** `(agentSessionId, body)`, or the seed's `({ agentSessionId, status, filesCreated, filesModified })`. */
    completeAgentExecution: async (agentSessionIdOrBody: string | CompleteExecutionInput, input?: CompleteExecutionInput) => {
      const [agentSessionId, json] = idAndBody("agentSessionId", agentSessionIdOrBody, input);
      return (
        await (await api.executions[":agentSessionId"].complete.$post({ param: { agentSessionId: enc(agentSessionId) }, json })).json()
      ).execution;
    },
    getSystemHealth: async (hours = 24) => (await api.stats.health.$get({ query: q({ hours }) })).json(),
    getPerformanceReport: async () => (await (await api.stats.performance.$get()).json()).agents,
    getFailures: async (limit = 10) => (await (await api.failures.$get({ query: q({ limit }) })).json()).failures,
    listRuns: async (params: { status?: string; limit?: number; cursor?: string } = {}) =>
      (await api.runs.$get({ query: q(params) })).json(),
    getRun: async (sessionId: string) => (await api.runs[":sessionId"].$get({ param: { sessionId: enc(sessionId) } })).json(),
    getExecutions: async (sessionId: string) =>
      (await (await api.runs[":sessionId"].executions.$get({ param: { sessionId: enc(sessionId) } })).json()).executions,
    getOrchestrationSummary: async (sessionId: string) =>
      (await api.runs[":sessionId"].report.$get({ param: { sessionId: enc(sessionId) } })).json(),
    /** The verified archive of a finished run, also after retention deleted the run. */
    getRunArchive: async (sessionId: string) =>
      (await api.runs[":sessionId"].archive.$get({ param: { sessionId: enc(sessionId) } })).json(),
    getAgent: async (name: string) => (await api.agents[":name"].$get({ param: { name: enc(name) } })).json(),
    cleanup: async (olderThanDays: number) => (await api.runs.$delete({ query: q({ olderThanDays }) })).json(),
    /** The export as a byte stream, for piping. */
    exportStream: async (session?: string) => (await api.export.$get({ query: q({ session }) })).body!,
    listAlerts: async (state?: string) => (await (await api.alerts.$get({ query: q({ state }) })).json()).alerts,
    ackAlert: async (id: number) => (await api.alerts[":id"].ack.$post({ param: { id: String(id) } })).json(),
    listSilences: async (expired = false) => (await (await api.silences.$get({ query: q({ expired: String(expired) }) })).json()).silences,
    silence: async (input: { matchers: Record<string, string>; until: string; comment: string }) =>
      (await (await api.silences.$post({ json: input })).json()).silence,
    expireSilence: async (id: number) => (await api.silences[":id"].$delete({ param: { id: String(id) } })).json(),
    listJobs: async () => (await (await api.jobs.$get()).json()).jobs,
    recordEvent: async (input: { id?: string; type: string; subject: string; message?: string; labels?: Record<string, string> }) =>
      (await (await api.events.$post({ json: input })).json()).event,
    listEvents: async (params: { type?: string; limit?: number; cursor?: string } = {}) =>
      (await api.events.$get({ query: q(params) })).json(),
    listVerdicts: async (filter: { status?: string; intent?: string; limit?: number } = {}) =>
      (await (await api.monitoring.results.$get({ query: q(filter) })).json()).results,
    stabilityReport: async (hours = 24) => (await api.stability.report.$get({ query: q({ hours, format: "markdown" }) })).text(),
  };
}

export type VigilClient = ReturnType<typeof createVigilClient>;
