import { isBotEventType, sampleEvent, sendSignedEvent } from "../client/webhook-sender.js";
import { BOT_EVENT_TYPES } from "../stability/bot-event.js";
import { type CliIo, UsageError } from "./invocation.js";

export const SEND_EVENT_USAGE = `send-event <type> [--source s]  sign and send one event with WEBHOOK_SECRET (types: ${BOT_EVENT_TYPES.join(", ")})`;

/** `send-event`: the signed request a bot would send, so a person can see one arrive on /status. */
export async function runSendEvent(
  options: { url: string; secret: string | undefined; args: string[]; source: string; now: number },
  io: CliIo,
): Promise<void> {
  const type = options.args[0];
  if (!type) throw new UsageError("missing <type>");
  if (!isBotEventType(type)) throw new UsageError(`unknown event type "${type}"; use one of ${BOT_EVENT_TYPES.join(", ")}`);
  const secret = options.secret?.split(",")[0]?.trim();
  if (!secret)
    throw new UsageError(
      "no webhook secret: set WEBHOOK_SECRET (or WEBHOOK_SECRET_<SOURCE>), or start `npm run dev` once to generate local secrets",
    );
  const result = await sendSignedEvent({
    url: options.url,
    source: options.source,
    secret,
    event: sampleEvent(type, options.now),
    now: options.now,
  });
  if (result.status >= 300) throw new Error(`Vigil answered ${result.status}: ${result.body.slice(0, 500)}`);
  io.out(
    `Sent ${type} to ${options.url}/api/webhooks/${options.source} (webhook-id ${result.webhookId}): HTTP ${result.status} ${result.body}`,
  );
}
