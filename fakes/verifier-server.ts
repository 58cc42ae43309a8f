import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// A system-of-record verifier as README's "Post-conversation monitoring" and .env.example define
// it (no upstream: it is the user's own endpoint): POST { sessionId, intent, facts }, answer
// { verified, detail }. `answer` scripts each reply.
type VerifierReply = { status: number; json?: unknown; raw?: string };

export interface FakeVerifier {
  url: string;
  requests: { headers: Record<string, string | string[] | undefined>; body: unknown }[];
  maxInFlight: number;
  answer: (body: any) => VerifierReply;
  close(): Promise<void>;
}

export async function startFakeVerifier(answer: FakeVerifier["answer"]): Promise<FakeVerifier> {
  let inFlight = 0;
  const state = { requests: [] as FakeVerifier["requests"], maxInFlight: 0, answer };
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString());
      state.requests.push({ headers: req.headers, body });
      // Let a concurrent caller overlap, if it does not wait its turn.
      await new Promise((r) => setImmediate(r));
      const reply = state.answer(body);
      res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.raw ?? JSON.stringify(reply.json ?? {}));
    } finally {
      inFlight--;
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/verify`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A URL nothing listens on: a server is started on a random port and closed again. */
export async function unreachableUrl(): Promise<string> {
  const v = await startFakeVerifier(() => ({ status: 200 }));
  await v.close();
  return v.url;
}
