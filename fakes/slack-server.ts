import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The secret part of a Slack incoming-webhook URL. */
export const SLACK_HOOK_TOKEN = "xoxHookSecret31d9";

export interface FakeSlack {
  url: string;
  /** Every accepted message body. */
  received: Record<string, any>[];
  /** Answers for the next requests, in order (status and headers); then 200 "ok". */
  script: { status: number; headers?: Record<string, string> }[];
  attempts: number;
  close(): Promise<void>;
}

/**
 * A Slack incoming-webhook endpoint as Slack's own SDK expects one (slackapi/node-slack-sdk
 * packages/webhook/src/IncomingWebhook.ts posts the JSON message to the hook URL;
 * IncomingWebhook.test.ts answers a message 200 "ok" and a failure with its status): 200 "ok"
 * for a message, a refusal as a 4xx/5xx with a plain error string for body (api.slack.com
 * changelog 2016-05-17 "Improving error conditions for Incoming Webhooks"), or the scripted failures.
 */
export async function startFakeSlack(): Promise<FakeSlack> {
  const state = { received: [] as Record<string, any>[], script: [] as FakeSlack["script"], attempts: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    state.attempts++;
    const next = state.script.shift();
    if (next) {
      res
        .writeHead(next.status, { "content-type": "text/plain", ...next.headers })
        .end(next.status === 429 ? "rate_limited" : "internal_error");
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString());
    if (typeof body.text !== "string") {
      res.writeHead(400).end("no_text");
      return;
    }
    state.received.push({ ...body, headers: req.headers });
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/${SLACK_HOOK_TOKEN}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
