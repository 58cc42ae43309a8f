import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeAlertReceiver {
  url: string;
  /** Every delivery it kept, as it arrived (headers and raw body, to verify the signature). */
  received: { headers: Record<string, string | undefined>; body: Buffer }[];
  attempts: number;
  close(): Promise<void>;
}

/**
 * The user's endpoint for Vigil's alert webhook: Standard Webhooks POSTs (standard-webhooks/
 * standard-webhooks spec/standard-webhooks.md: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature` headers over the raw JSON body), answered 204 and kept. `answer` may
 * answer a request itself first (a status, a dropped socket) and return false to not keep it.
 */
export async function startAlertReceiver(
  answer: (req: IncomingMessage, res: ServerResponse) => boolean = () => true,
): Promise<FakeAlertReceiver> {
  const state = { received: [] as FakeAlertReceiver["received"], attempts: 0 };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    state.attempts++;
    if (!answer(req, res)) return;
    state.received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/vigil`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
