import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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
}

export interface Fault {
  status: number;
  headers?: Record<string, string>;
  /** Hold the request this long before answering (past the client's timeout = a timeout). */
  delayMs?: number;
}

export interface FakeLangfuse {
  url: string;
  publicKey: string;
  secretKey: string;
  add(...observations: FakeObservation[]): void;
  scores: Map<string, Record<string, unknown>>;
  requests: { method: string; path: string; query: Record<string, string> }[];
  /** The next matching requests answer with these faults, in order. */
  faults: Fault[];
  /** While set, every read answers 503. */
  down: boolean;
  /** Cursors issued before this generation are refused with 400 (expired). */
  expireCursors(): void;
  close(): Promise<void>;
}

/**
 * Speaks the Langfuse public API as the SDK calls it: v4 servers have GET /api/public/v2/observations
 * (cursor pagination, time filters) and no v1 reads; v3 servers have only the v1 traces and
 * observations lists. Both take POST /api/public/scores (upsert by id). Basic auth as Langfuse does.
 */
export async function startFakeLangfuse(options: { version: "v4" | "v3"; now?: () => number }): Promise<FakeLangfuse> {
  const now = options.now ?? Date.now;
  const observations: FakeObservation[] = [];
  const scores = new Map<string, Record<string, unknown>>();
  const requests: FakeLangfuse["requests"] = [];
  let cursorGeneration = 0;
  const fake = {
    publicKey: "pk-lf-test",
    secretKey: LANGFUSE_SECRET_KEY,
    faults: [] as Fault[],
    down: false,
  };

  const visible = (from?: string, to?: string) =>
    observations
      .filter((o) => (o.visibleAt ?? 0) <= now())
      .filter((o) => (from ? o.startTime >= Date.parse(from) : true) && (to ? o.startTime < Date.parse(to) : true))
      .sort((a, b) => a.startTime - b.startTime || a.id.localeCompare(b.id));
  const v2 = (o: FakeObservation) => ({
    id: o.id, traceId: o.traceId, startTime: new Date(o.startTime).toISOString(), endTime: null, projectId: "p1", parentObservationId: null,
    type: o.type, name: o.name, level: o.level, statusMessage: o.statusMessage, sessionId: o.sessionId, traceName: o.traceName, tags: o.tags,
    input: o.input, output: o.output,
  });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://x");
    const q = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? "GET", path: url.pathname, query: q });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.headers.authorization !== `Basic ${Buffer.from(`${fake.publicKey}:${fake.secretKey}`).toString("base64")}`) return send(res, 401, { message: "Unauthorized" });
    const fault = fake.faults.shift();
    if (fault) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      return send(res, fault.status, { message: "fault injected" }, fault.headers);
    }
    if (req.method === "POST" && url.pathname === "/api/public/scores") {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
      const id = String(body.id ?? `score-${scores.size + 1}`);
      scores.set(id, body);
      return send(res, 200, { id });
    }
    if (fake.down) return send(res, 503, { message: "Service unavailable" });
    const limit = Math.min(Number(q.limit ?? 50), options.version === "v4" ? 1000 : 100);

    if (url.pathname === "/api/public/v2/observations") {
      if (options.version !== "v4") return send(res, 404, { message: "Not found" });
      let offset = 0;
      if (q.cursor) {
        const [gen, off] = Buffer.from(q.cursor, "base64url").toString().split(":").map(Number);
        if (gen !== cursorGeneration) return send(res, 400, { message: "Invalid or expired cursor" });
        offset = off!;
      }
      const all = visible(q.fromStartTime, q.toStartTime).filter((o) => (q.sessionId ? o.sessionId === q.sessionId : true));
      const page = all.slice(offset, offset + limit);
      const more = offset + limit < all.length;
      return send(res, 200, { data: page.map(v2), meta: more ? { cursor: Buffer.from(`${cursorGeneration}:${offset + limit}`).toString("base64url") } : {} });
    }
    if (options.version !== "v3") return send(res, 404, { message: "Not found" });
    const pageNo = Number(q.page ?? 1);
    const paged = <T>(items: T[]) => ({
      data: items.slice((pageNo - 1) * limit, pageNo * limit),
      meta: { page: pageNo, limit, totalItems: items.length, totalPages: Math.max(1, Math.ceil(items.length / limit)) },
    });
    if (url.pathname === "/api/public/traces") {
      const traces = new Map<string, { id: string; timestamp: string; name: string; sessionId: string | null; tags: string[] }>();
      for (const o of visible()) {
        if (!traces.has(o.traceId)) traces.set(o.traceId, { id: o.traceId, timestamp: new Date(o.startTime).toISOString(), name: o.traceName, sessionId: o.sessionId, tags: o.tags });
      }
      const list = [...traces.values()].filter((t) => (q.fromTimestamp ? Date.parse(t.timestamp) >= Date.parse(q.fromTimestamp) : true) && (q.toTimestamp ? Date.parse(t.timestamp) < Date.parse(q.toTimestamp) : true));
      return send(res, 200, paged(list.map((t) => ({ ...t, input: null, output: null, release: null, version: null, userId: null, public: false, environment: "default", htmlPath: `/trace/${t.id}`, observations: [] }))));
    }
    if (url.pathname === "/api/public/observations") {
      const list = visible(q.fromStartTime, q.toStartTime);
      return send(res, 200, paged(list.map((o) => ({ id: o.id, traceId: o.traceId, type: o.type, name: o.name, startTime: new Date(o.startTime).toISOString(), level: o.level, statusMessage: o.statusMessage, input: o.input, output: o.output }))));
    }
    return send(res, 404, { message: "Not found" });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    add: (...o: FakeObservation[]) => void observations.push(...o),
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
