import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { secretsEqual } from "../src/security/constant-time.js";

/** The fake's secret key: a secret, so the log audit looks for it. */
export const LANGFUSE_SECRET_KEY = "sk-lf-test-secret-5f2a";

export interface FakeObservation {
  id: string;
  traceId: string;
  sessionId: string | null;
  traceName: string;
  tags: string[];
  name: string;
  type: string;
  startTime: number;
  input: unknown;
  output: unknown;
  level: string;
  statusMessage: string | null;
  /** When Langfuse makes it readable (ingestion lag); default: at once. */
  visibleAt?: number;
  /** When its trace started (v1 trace timestamp); default: its first observation's start. */
  traceStart?: number;
  /** Langfuse's environment of the observation; default "default" (what Langfuse sets when the app sets none). */
  environment?: string;
  /** The trace's release and version (v1 traces; v2 serves release with trace_context, version as the observation's own). */
  release?: string;
  version?: string;
  /** A generation's Langfuse prompt (v1 observations; v2 with the `prompt` field group). */
  promptName?: string;
  promptVersion?: number;
  /** JSON text served as the input verbatim (v1: as a value, v2: as the string), for inputs too deep to serialise here. */
  rawInput?: string;
  /**
   * USD per cost type as Langfuse's worker stores it: with `total` whenever any cost is known
   * (worker/src/services/IngestionService/index.ts calculateUsageCosts); default none (`{}`).
   */
  costDetails?: Record<string, number>;
  /** Units per usage type (tokens); default none. */
  usageDetails?: Record<string, number>;
  /** Fields served in place of the real ones (a malformed row: `{ startTime: "NaN" }`, `{ sessionId: {} }`). */
  served?: Record<string, unknown>;
}

interface Fault {
  status: number;
  headers?: Record<string, string>;
  /** Hold the request this long before answering (past the client's timeout = a timeout). */
  delayMs?: number;
}

export interface FakeLangfuse {
  url: string;
  publicKey: string;
  secretKey: string;
  /** v4: v2 observations + ingestion; v3: v1 traces/observations + ingestion. Can change at run time (an upgrade). */
  version: "v4" | "v3";
  add(...observations: FakeObservation[]): void;
  scores: Map<string, Record<string, unknown>>;
  /** Every request, with the minute (of `now`) it came in. */
  requests: { method: string; path: string; query: Record<string, string>; status: number; minute: number }[];
  /** The next matching requests answer with these faults, in order. */
  faults: Fault[];
  /** While set, every read answers 503. */
  down: boolean;
  /**
   * A server without the legacy ingestion route, answering this status, as the SDK's deprecation
   * notice announces for Cloud (@langfuse/core: "will be removed on November 16, 2026").
   */
  noIngestion: false | 404 | 410;
  /**
   * Refuses a score event inside a 207 answer when this returns a message (400, as a score that
   * fails validation) or a status and message (e.g. 500: processEventBatch.ts answers an
   * unexpected failure "Internal Server Error" per event).
   */
  refuseScore: ((body: Record<string, unknown>) => string | { status: number; message: string } | undefined) | undefined;
  /**
   * A page whose I/O holds more characters than this answers 422, as ClickHouse running out of
   * memory or time does (web/src/features/public-api/server/withMiddlewares.ts maps its
   * ClickHouseResourceError to 422 with packages/shared/src/errors/errorMessages.ts's advice).
   */
  maxPageIoChars: number | undefined;
  /** Cursors issued before this generation are refused with 400 (expired). */
  expireCursors(): void;
  close(): Promise<void>;
}

// Langfuse Cloud Hobby limits per organisation and resource, in fixed one-minute windows
// (langfuse/langfuse web/src/features/public-api/server/RateLimitService.ts: public-api 30/60 s,
// ingestion 1000/60 s; rate-limiter-flexible's window starts with its first request).
export const HOBBY_LIMITS = { "public-api": 30, ingestion: 1000 } as const;
type Resource = keyof typeof HOBBY_LIMITS;

interface IngestionEvent {
  id: string;
  type: string;
  timestamp: string;
  body: Record<string, unknown>;
}

// A score body as Langfuse's ingestion schema takes it (packages/shared/src/server/ingestion/types.ts
// BaseScoreBody and ScoreBody: a non-empty name, the value's type by dataType, BOOLEAN 0 or 1) with
// exactly one target (packages/shared/src/utils/scores.ts applyScoreValidation: traceId, sessionId
// or datasetRunId, tested with `!!`, so "" is none; observationId only with traceId).
const scoreBodySchema = z
  .object({
    id: z.string().min(1).max(800).nullish(),
    name: z.string().min(1),
    traceId: z.string().nullish(),
    sessionId: z.string().nullish(),
    datasetRunId: z.string().nullish(),
    observationId: z.string().nullish(),
    environment: z.string().nullish(),
    comment: z.string().nullish(),
    source: z.enum(["API", "EVAL", "ANNOTATION"]).optional(),
    dataType: z.enum(["NUMERIC", "CATEGORICAL", "BOOLEAN"]).optional(),
    value: z.union([z.number(), z.string()]),
  })
  .superRefine((b, ctx) => {
    const typed =
      b.dataType === undefined ||
      ((b.dataType === "CATEGORICAL" ? typeof b.value === "string" : typeof b.value === "number") &&
        (b.dataType !== "BOOLEAN" || b.value === 0 || b.value === 1));
    if (!typed) ctx.addIssue({ code: "custom", path: ["value"], message: `value does not match data type ${b.dataType}` });
    const [trace, session, run] = [!!b.traceId, !!b.sessionId, !!b.datasetRunId];
    const one =
      (trace && !session && !run) || (session && !trace && !run && !b.observationId) || (run && !trace && !session && !b.observationId);
    if (!one)
      ctx.addIssue({
        code: "custom",
        path: ["traceId", "sessionId", "datasetRunId", "observationId"],
        message:
          "Provide exactly one of the following: traceId (with optional observationId), sessionId or datasetRunId. ObservationId requires traceId.",
      });
  });

const scoreRefusal = (body: Record<string, unknown>) => {
  const parsed = scoreBodySchema.safeParse(body);
  return parsed.success ? undefined : parsed.error.message;
};

/**
 * The order Langfuse's worker applies one batch's events for an entity in, the last one winning
 * (worker/src/services/IngestionService/index.ts toTimeSortedEventList, then mergeRecords): by
 * timestamp, and for equal timestamps a comparator that answers -1 whenever the first is a
 * create, which V8's sort turns into reverse arrival order for two score-creates.
 */
function applyInWorkerOrder(events: IngestionEvent[]): IngestionEvent[] {
  const byEntity = new Map<string, IngestionEvent[]>();
  for (const e of events) byEntity.set(String(e.body.id), [...(byEntity.get(String(e.body.id)) ?? []), e]);
  return [...byEntity.values()].flatMap((list) =>
    list.slice().sort((a, b) => {
      const at = new Date(a.timestamp).getTime();
      const bt = new Date(b.timestamp).getTime();
      if (at === bt) return a.type.includes("create") ? -1 : 1;
      return at - bt;
    }),
  );
}

/**
 * Speaks the Langfuse public API as Langfuse serves it, read from its source (langfuse/langfuse):
 * - GET /api/public/v2/observations (fern/apis/server/definition/observations.yml,
 *   packages/shared/src/server/repositories/events.ts, web/src/__tests__/async/observations-api-v2.servertest.ts):
 *   field groups (default core+basic), keyset-cursor pages ordered by start_time DESC, then
 *   xxHash32(trace_id) DESC, span_id DESC (events.ts applyOrderByForObservationsQuery; ties by id
 *   here), a cursor only when more rows follow (limit+1 read),
 *   `input`/`output` as raw JSON strings, `parseIoAsJson=true` answered 400; the `usage` group's
 *   costDetails/totalCost as packages/shared/src/server/repositories/observations_converters.ts derives them.
 * - v1 GET /api/public/traces (fields: without `fields` every group, with `core` no I/O,
 *   observations or scores), GET /api/public/traces/{id}, GET /api/public/observations (page/limit).
 * - POST /api/public/ingestion (fern/apis/server/definition/ingestion.yml): a batch of events,
 *   answered 207 with `successes` and `errors` by event id; `score-create` upserts on body.id.
 *   A v4 server in events_only mode still takes score-create and refuses other types per event
 *   with 400 in the 207 (web/src/pages/api/public/ingestion.ts, filterBatchForEventsOnly).
 * - POST /api/public/scores: one score, upsert by id.
 * - With `limits`, 429 + Retry-After / X-RateLimit-* past the per-minute points, minutes by `now`.
 */
export async function startFakeLangfuse(options: {
  version: "v4" | "v3";
  now?: () => number;
  limits?: Partial<Record<Resource, number>>;
  /** Project keys; default the test keys (the log audit looks for the secret). */
  keys?: { publicKey: string; secretKey: string };
}): Promise<FakeLangfuse> {
  const now = options.now ?? Date.now;
  const observations: FakeObservation[] = [];
  const scores = new Map<string, Record<string, unknown>>();
  const requests: FakeLangfuse["requests"] = [];
  const windows = new Map<Resource, { start: number; used: number }>();
  let cursorGeneration = 0;
  const fake = {
    publicKey: options.keys?.publicKey ?? "pk-lf-test",
    secretKey: options.keys?.secretKey ?? LANGFUSE_SECRET_KEY,
    version: options.version,
    faults: [] as Fault[],
    down: false,
    noIngestion: false as FakeLangfuse["noIngestion"],
    refuseScore: undefined as FakeLangfuse["refuseScore"],
    maxPageIoChars: undefined as number | undefined,
  };

  const inRange = (t: number, from?: string, to?: string) => (from ? t >= Date.parse(from) : true) && (to ? t < Date.parse(to) : true);
  const visible = () => observations.filter((o) => (o.visibleAt ?? 0) <= now());
  // Kept sorted by start time (ids break ties) so a time-bounded read is a binary search, not a
  // scan of every observation: a 45k-observation backlog is read many times over.
  let sorted = true;
  const byStart = (a: FakeObservation, b: FakeObservation) => a.startTime - b.startTime || a.id.localeCompare(b.id);
  const firstAtOrAfter = (t: number) => {
    let lo = 0;
    let hi = observations.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (observations[mid]!.startTime < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const visibleIn = (from?: string, to?: string) => {
    if (!sorted) {
      observations.sort(byStart);
      sorted = true;
    }
    const start = from ? firstAtOrAfter(Date.parse(from)) : 0;
    const end = to ? firstAtOrAfter(Date.parse(to)) : observations.length;
    return observations.slice(start, end).filter((o) => (o.visibleAt ?? 0) <= now());
  };
  // Langfuse stores I/O serialised: a string stays itself, anything else is its JSON text.
  const raw = (v: unknown) => (v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v));
  // v2 reads ClickHouse's events table, whose unset strings are "" (session_id, name, user_id,
  // version, release, trace_name, status_message are non-nullable String columns:
  // packages/shared/clickhouse/migrations/unclustered/0040_create_events_core.up.sql).
  const v2 = (o: FakeObservation, groups: Set<string>) => ({
    id: o.id,
    traceId: o.traceId,
    startTime: new Date(o.startTime).toISOString(),
    endTime: null,
    projectId: "p1",
    parentObservationId: null,
    type: o.type,
    ...(groups.has("basic")
      ? {
          name: o.name ?? "",
          level: o.level,
          statusMessage: o.statusMessage ?? "",
          version: o.version ?? "",
          environment: o.environment ?? "default",
          userId: "",
          sessionId: o.sessionId ?? "",
          isRootObservation: false,
        }
      : {}),
    ...(groups.has("io") ? { input: o.rawInput ?? raw(o.input), output: raw(o.output) } : {}),
    ...(groups.has("trace_context") ? { tags: o.tags, traceName: o.traceName ?? "", release: o.release ?? "" } : {}),
    // The prompt group (fern/apis/server/definition/observations.yml "Field Selection": promptId,
    // promptName, promptVersion), null where the generation was not linked to a prompt.
    ...(groups.has("prompt")
      ? {
          promptId: o.promptName ? `prompt-${o.promptName}-${o.promptVersion}` : null,
          promptName: o.promptName ?? null,
          promptVersion: o.promptVersion ?? null,
        }
      : {}),
    // The `usage` group (fern/apis/server/definition/observations.yml): totalCost is the reduced total.
    ...(groups.has("usage")
      ? {
          usageDetails: o.usageDetails ?? {},
          costDetails: o.costDetails ?? {},
          totalCost: reduced(o.costDetails ?? {}).total,
          usagePricingTierName: null,
        }
      : {}),
    ...o.served,
  });
  // packages/shared/src/server/repositories/observations_converters.ts reduceUsageOrCostDetails:
  // input/output are the sums of the keys containing them (null when none), total is `total` or 0.
  const reduced = (d: Record<string, number>) => {
    const part = (k: string) => Object.entries(d).reduce<number | null>((a, [key, v]) => (key.includes(k) ? (a ?? 0) + v : a), null);
    return { input: part("input"), output: part("output"), total: Number(d.total ?? 0) };
  };
  const ioChars = (page: FakeObservation[]) =>
    page.reduce((n, o) => n + (o.rawInput ?? raw(o.input) ?? "").length + (raw(o.output) ?? "").length, 0);
  const tooHeavy = (page: FakeObservation[]) => fake.maxPageIoChars !== undefined && ioChars(page) > fake.maxPageIoChars;
  const RESOURCE_LIMIT = {
    message: "Your query could not be completed. Please narrow your request by adding more specific filters (e.g., a shorter date range).",
    error: "Request timed out",
  };
  const tracesOf = () => {
    const traces = new Map<
      string,
      {
        id: string;
        timestamp: string;
        name: string;
        sessionId: string | null;
        tags: string[];
        input: unknown;
        output: unknown;
        observations: string[];
        environment: string;
        release: string | null;
        version: string | null;
      }
    >();
    for (const o of visible().sort((a, b) => a.startTime - b.startTime)) {
      const t = traces.get(o.traceId);
      if (t) t.observations.push(o.id);
      else
        traces.set(o.traceId, {
          id: o.traceId,
          timestamp: new Date(o.traceStart ?? o.startTime).toISOString(),
          name: o.traceName,
          sessionId: o.sessionId,
          tags: o.tags,
          input: o.input,
          output: o.output,
          observations: [o.id],
          environment: o.environment ?? "default",
          release: o.release ?? null,
          version: o.version ?? null,
        });
    }
    return traces;
  };
  const traceJson = (t: ReturnType<typeof tracesOf> extends Map<string, infer T> ? T : never, fields: string | undefined) => {
    const all = fields === undefined;
    const groups = new Set((fields ?? "").split(","));
    return {
      id: t.id,
      timestamp: t.timestamp,
      name: t.name,
      sessionId: t.sessionId,
      tags: t.tags,
      // Part of `core` (the SDK's GetTracesRequest `fields`: "'core' (always included)").
      release: t.release,
      version: t.version,
      userId: null,
      public: false,
      environment: t.environment,
      htmlPath: `/trace/${t.id}`,
      ...(all || groups.has("io") ? { input: t.input, output: t.output, metadata: null } : {}),
      observations: all || groups.has("observations") ? t.observations : [],
      scores: [],
      totalCost: all || groups.has("metrics") ? 0 : -1,
      latency: all || groups.has("metrics") ? 0 : -1,
    };
  };

  const RAW = "\u0000raw-input\u0000";
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    requests.at(-1)!.status = status;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    // v1 serves a rawInput as a JSON value: spliced in as text, never walked here.
    const raws: string[] = [];
    const text = JSON.stringify(body, (key, value: unknown) => {
      if (key === "input" && typeof value === "object" && value !== null && RAW in value) {
        raws.push((value as Record<string, string>)[RAW]!);
        return RAW;
      }
      return value;
    });
    let i = 0;
    res.end(raws.length ? text.replaceAll(JSON.stringify(RAW), () => raws[i++]!) : text);
  };

  /** Consumes one point; the 429 headers when none is left (RateLimitService.createHttpHeaderFromRateLimit). */
  function limited(resource: Resource): Record<string, string> | undefined {
    const points = options.limits?.[resource];
    if (points === undefined) return undefined;
    const t = now();
    let w = windows.get(resource);
    if (!w || t >= w.start + 60_000) windows.set(resource, (w = { start: t, used: 0 }));
    w.used++;
    if (w.used <= points) return undefined;
    const msBeforeNext = w.start + 60_000 - t;
    return {
      "retry-after": String(Math.ceil(msBeforeNext / 1000)),
      "x-ratelimit-limit": String(points),
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": new Date(t + msBeforeNext).toString(),
    };
  }

  const costFieldsV1 = (o: FakeObservation) => {
    const cost = reduced(o.costDetails ?? {});
    const usage = reduced(o.usageDetails ?? {});
    return {
      usageDetails: o.usageDetails ?? {},
      costDetails: o.costDetails ?? {},
      calculatedInputCost: cost.input,
      calculatedOutputCost: cost.output,
      calculatedTotalCost: cost.total,
      usage: { unit: "TOKENS", input: usage.input ?? 0, output: usage.output ?? 0, total: usage.total },
    };
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://x");
    const q = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? "GET", path: url.pathname, query: q, status: 0, minute: Math.floor(now() / 60_000) });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (!secretsEqual(req.headers.authorization ?? "", `Basic ${Buffer.from(`${fake.publicKey}:${fake.secretKey}`).toString("base64")}`))
      return send(res, 401, { message: "Unauthorized" });
    const fault = fake.faults.shift();
    if (fault) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      return send(res, fault.status, { message: "fault injected" }, fault.headers);
    }
    // Not rate-limited upstream (web/src/pages/api/public/projects/index.ts): a project key sees its project.
    if (req.method === "GET" && url.pathname === "/api/public/projects")
      return send(res, 200, { data: [{ id: "p1", name: "vigil-test", metadata: {} }] });
    const resource: Resource = url.pathname === "/api/public/ingestion" ? "ingestion" : "public-api";
    const rateLimited = limited(resource);
    if (rateLimited) return send(res, 429, { message: "Rate limit exceeded" }, rateLimited);

    if (req.method === "POST" && url.pathname === "/api/public/ingestion") {
      if (fake.noIngestion) return send(res, fake.noIngestion, { message: fake.noIngestion === 410 ? "Gone" : "Not found" });
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { batch: IngestionEvent[] };
      const successes: { id: string; status: number }[] = [];
      const errors: { id: string; status: number; message?: string; error?: unknown }[] = [];
      const accepted: IngestionEvent[] = [];
      for (const event of body.batch) {
        if (event.type !== "score-create") {
          errors.push({
            id: event.id,
            status: 400,
            message: "Invalid request data",
            error: `unsupported event type ${event.type} in this fake`,
          });
          continue;
        }
        const refusal = scoreRefusal(event.body) ?? fake.refuseScore?.(event.body);
        if (typeof refusal === "string") errors.push({ id: event.id, status: 400, message: "Invalid request data", error: refusal });
        else if (refusal) errors.push({ id: event.id, status: refusal.status, error: refusal.message });
        else {
          accepted.push(event);
          successes.push({ id: event.id, status: 201 });
        }
      }
      for (const event of applyInWorkerOrder(accepted)) scores.set(String(event.body.id), event.body);
      return send(res, 207, { successes, errors });
    }
    if (req.method === "POST" && url.pathname === "/api/public/scores") {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
      const refusal = scoreRefusal(body);
      if (refusal) return send(res, 400, { message: refusal });
      const id = String(body.id ?? `score-${scores.size + 1}`);
      scores.set(id, body);
      return send(res, 200, { id });
    }
    if (fake.down) return send(res, 503, { message: "Service unavailable" });
    const limit = Math.min(Number(q.limit ?? 50), fake.version === "v4" ? 1000 : 100);

    if (url.pathname === "/api/public/v2/observations") {
      if (fake.version !== "v4") return send(res, 404, { message: "Not found" });
      if (q.parseIoAsJson === "true")
        return send(res, 400, { message: "parseIoAsJson is deprecated: input and output are always returned as raw strings" });
      let offset = 0;
      if (q.cursor) {
        const [gen, off] = Buffer.from(q.cursor, "base64url").toString().split(":").map(Number);
        if (gen !== cursorGeneration) return send(res, 400, { message: "Invalid or expired cursor" });
        offset = off!;
      }
      const groups = new Set(["core", ...(q.fields ? q.fields.split(",") : ["basic"])]);
      const all = visibleIn(q.fromStartTime, q.toStartTime)
        .filter((o) => (q.sessionId ? o.sessionId === q.sessionId : true))
        .reverse();
      const page = all.slice(offset, offset + limit);
      if (groups.has("io") && tooHeavy(page)) return send(res, 422, RESOURCE_LIMIT);
      // Langfuse reads limit+1 rows and gives a cursor only when more follow (events.ts).
      const more = offset + limit < all.length;
      return send(res, 200, {
        data: page.map((o) => v2(o, groups)),
        meta: more ? { cursor: Buffer.from(`${cursorGeneration}:${offset + limit}`).toString("base64url") } : {},
      });
    }
    // Langfuse v4 serves the v1 read routes no more (events-only data model).
    if (fake.version !== "v3") return send(res, 404, { message: "Not found" });
    const pageNo = Number(q.page ?? 1);
    const paged = <T>(items: T[]) => ({
      data: items.slice((pageNo - 1) * limit, pageNo * limit),
      meta: { page: pageNo, limit, totalItems: items.length, totalPages: Math.max(1, Math.ceil(items.length / limit)) },
    });
    const traceById = /^\/api\/public\/traces\/([^/]+)$/.exec(url.pathname);
    if (traceById) {
      const t = tracesOf().get(decodeURIComponent(traceById[1]!));
      return t ? send(res, 200, traceJson(t, q.fields)) : send(res, 404, { message: "Trace not found" });
    }
    if (url.pathname === "/api/public/traces") {
      const list = [...tracesOf().values()]
        .filter((t) => inRange(Date.parse(t.timestamp), q.fromTimestamp, q.toTimestamp))
        .sort((a, b) => b.timestamp.localeCompare(a.timestamp));
      return send(res, 200, paged(list.map((t) => traceJson(t, q.fields))));
    }
    if (url.pathname === "/api/public/observations") {
      const list = visibleIn(q.fromStartTime, q.toStartTime).reverse();
      if (tooHeavy(list.slice((pageNo - 1) * limit, pageNo * limit))) return send(res, 422, RESOURCE_LIMIT);
      return send(
        res,
        200,
        paged(
          list.map((o) => ({
            id: o.id,
            traceId: o.traceId,
            type: o.type,
            name: o.name,
            startTime: new Date(o.startTime).toISOString(),
            level: o.level,
            statusMessage: o.statusMessage,
            // ObservationsView (fern/apis/server/definition/commons.yml): the prompt by name and version.
            version: o.version ?? null,
            promptName: o.promptName ?? null,
            promptVersion: o.promptVersion ?? null,
            input: o.rawInput ? { [RAW]: o.rawInput } : o.input,
            output: o.output,
            // web/src/features/public-api/types/observations.ts transformDbToApiObservation: the
            // details as stored, the deprecated calculated* costs and usage from their reduction.
            ...costFieldsV1(o),
            ...o.served,
          })),
        ),
      );
    }
    return send(res, 404, { message: "Not found" });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    add: (...o: FakeObservation[]) => {
      for (const x of o) observations.push(x);
      sorted = false;
    },
    scores,
    requests,
    expireCursors: () => void cursorGeneration++,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
