import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { secretsEqual } from "../security/constant-time.js";
import type { DemoConversation } from "./conversations.js";

// A local stand-in for Langfuse that speaks what Langfuse serves, from its API definition:
// - GET /api/public/v2/observations (langfuse/langfuse fern/apis/server/definition/observations.yml):
//   Basic auth with the project keys, fromStartTime/toStartTime/limit (max 1000, default 50)/cursor,
//   `input`/`output` always raw strings (JSON text), pages newest first, `meta.cursor` absent on the
//   last page. The `fields` groups asked for are core, basic, io and trace_context.
// - POST /api/public/scores (scores.yml) and POST /api/public/ingestion with score-create events,
//   answered 207 { successes, errors } (ingestion.yml).

interface StoredObservation {
  id: string;
  traceId: string;
  sessionId: string;
  traceName: string;
  name: string;
  type: "GENERATION" | "TOOL" | "EVENT";
  startTime: number;
  level: "DEFAULT" | "ERROR";
  statusMessage: string | null;
  input: string | null;
  output: string | null;
}

export interface DemoLangfuse {
  url: string;
  publicKey: string;
  secretKey: string;
  /** Records a conversation as a traced bot would: one trace per exchange, ending with a conversation_end trace. */
  addConversation(c: DemoConversation, start: number): void;
  observations: StoredObservation[];
  scores: Record<string, unknown>[];
  close(): Promise<void>;
}

const SYSTEM = "You are the booking assistant of Bright Smile Dental.";

/** The observations Langfuse's SDK would have written for one conversation. */
function conversationObservations(c: DemoConversation, start: number): StoredObservation[] {
  const sessionId = `sess-${c.id}`;
  const history: { role: string; content: string }[] = [{ role: "system", content: SYSTEM }];
  const out: StoredObservation[] = [];
  let t = start;
  let exchange = -1;
  const traceId = () => `${sessionId}-t${Math.max(exchange, 0)}`;
  for (const turn of c.turns) {
    t += 1500;
    const base = { traceId: traceId(), sessionId, traceName: "bot-turn", startTime: t, statusMessage: null, level: "DEFAULT" as const };
    if (turn.startsWith("C:")) {
      exchange++;
      history.push({ role: "user", content: turn.slice(2) });
    } else if (turn.startsWith("T:")) {
      const [name, args, result] = turn.slice(2).split("|") as [string, string, string];
      const failed = result.includes('"error"');
      out.push({
        ...base,
        traceId: traceId(),
        id: `${traceId()}-tool-${out.length}`,
        name,
        type: "TOOL",
        input: args,
        output: result,
        level: failed ? "ERROR" : "DEFAULT",
        statusMessage: failed ? JSON.parse(result).error : null,
      });
    } else {
      const reply = { role: "assistant", content: turn.slice(2) };
      out.push({
        ...base,
        traceId: traceId(),
        id: `${traceId()}-gen-${out.length}`,
        name: "reply",
        type: "GENERATION",
        input: JSON.stringify(history),
        output: JSON.stringify(reply),
      });
      history.push(reply);
    }
  }
  out.push({
    id: `${sessionId}-end`,
    traceId: `${sessionId}-end`,
    sessionId,
    traceName: "conversation_end",
    name: "hangup",
    type: "EVENT",
    startTime: t + 1000,
    level: "DEFAULT",
    statusMessage: null,
    input: null,
    output: null,
  });
  return out;
}

export async function startDemoLangfuse(options: { clock: () => number; publicKey?: string; secretKey?: string }): Promise<DemoLangfuse> {
  const publicKey = options.publicKey ?? "pk-lf-demo";
  const secretKey = options.secretKey ?? "sk-lf-demo-local";
  const observations: StoredObservation[] = [];
  const scores: Record<string, unknown>[] = [];
  const auth = `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString("base64")}`;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const v2 = (o: StoredObservation) => ({
    id: o.id,
    traceId: o.traceId,
    startTime: new Date(o.startTime).toISOString(),
    endTime: new Date(o.startTime + 800).toISOString(),
    projectId: "demo",
    parentObservationId: null,
    type: o.type,
    name: o.name,
    level: o.level,
    statusMessage: o.statusMessage,
    version: null,
    environment: "default",
    sessionId: o.sessionId,
    userId: null,
    isRootObservation: true,
    input: o.input,
    output: o.output,
    tags: [],
    release: null,
    traceName: o.traceName,
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://langfuse.local");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (!secretsEqual(req.headers.authorization ?? "", auth)) return send(res, 401, { message: "Invalid credentials" });
    const q = url.searchParams;
    if (req.method === "GET" && url.pathname === "/api/public/v2/observations") {
      if (q.get("parseIoAsJson") === "true")
        return send(res, 400, { message: "parseIoAsJson is deprecated; input/output are returned as strings" });
      const limit = Math.min(Number(q.get("limit") ?? 50), 1000);
      const from = q.get("fromStartTime") ? Date.parse(q.get("fromStartTime")!) : -Infinity;
      const to = q.get("toStartTime") ? Date.parse(q.get("toStartTime")!) : Infinity;
      const now = options.clock();
      const matching = observations
        .filter((o) => o.startTime <= now && o.startTime >= from && o.startTime < to)
        .sort((a, b) => b.startTime - a.startTime || b.id.localeCompare(a.id));
      const offset = q.get("cursor") ? Number(Buffer.from(q.get("cursor")!, "base64").toString()) : 0;
      if (!Number.isInteger(offset) || offset < 0) return send(res, 400, { message: "Invalid cursor" });
      const page = matching.slice(offset, offset + limit);
      const next = offset + limit < matching.length ? Buffer.from(String(offset + limit)).toString("base64") : undefined;
      return send(res, 200, { data: page.map(v2), meta: next ? { cursor: next } : {} });
    }
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
    if (req.method === "POST" && url.pathname === "/api/public/scores") {
      scores.push(body);
      return send(res, 200, { id: String(body.id ?? `score-${scores.length}`) });
    }
    if (req.method === "POST" && url.pathname === "/api/public/ingestion") {
      const batch = Array.isArray(body.batch) ? (body.batch as { id: string; type: string; body: Record<string, unknown> }[]) : [];
      const successes = [];
      const errors = [];
      for (const event of batch) {
        if (event.type === "score-create") {
          scores.push(event.body);
          successes.push({ id: event.id, status: 201 });
        } else errors.push({ id: event.id, status: 400, message: `the demo server stores only score-create events, not ${event.type}` });
      }
      return send(res, 207, { successes, errors });
    }
    return send(res, 404, { message: "Not found" });
  }

  const server: Server = createServer(
    (req, res) => void handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) })),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    publicKey,
    secretKey,
    observations,
    scores,
    addConversation: (c, start) => void observations.push(...conversationObservations(c, start)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
