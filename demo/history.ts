import { createApp } from "../src/app.js";
import { createVigilClient } from "../src/client/vigil-client.js";
import type { Deps } from "../src/deps.js";
import { createLogger } from "../src/log.js";
import { sendExchange } from "./bot.js";
import type { Fixture } from "../fixtures/conversations.js";
import { simulateRun } from "./pipeline.js";

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The day before the demo started, so every 24-hour chart and checkpoint has something to show:
 * sent through Vigil's own app in this process with the clock set to each moment, exactly as
 * the requests would have arrived then.
 */
export async function recordHistory(options: {
  deps: Deps;
  now: number;
  secret: string;
  apiKey: string;
  addConversation: (c: Fixture, start: number) => void;
  conversations: Fixture[];
}): Promise<{ exchanges: number; runs: number }> {
  let at = 0;
  const app = createApp({ ...options.deps, clock: () => at, log: createLogger({ level: "error" }) });
  const inProcess = (url: string, init: RequestInit) => app.request(url, init);
  const target = { url: "http://vigil.demo", source: "whatsapp-bot", secret: options.secret, fetch: inProcess };
  const client = createVigilClient({ url: "http://vigil.demo", apiKey: options.apiKey, fetch: inProcess as typeof fetch, retries: 0 });

  let exchanges = 0;
  for (at = options.now - 24 * HOUR + 5 * MIN; at < options.now - 10 * MIN; at += 20 * MIN)
    await sendExchange(target, 100 + exchanges++, at);
  const runs = 8;
  for (let i = 0; i < runs; i++) {
    at = options.now - (runs - i) * 2.5 * HOUR;
    await simulateRun(client, i);
  }
  // The run that never reports again: the first heartbeat finds it stalled.
  at = options.now - 20 * MIN;
  await simulateRun(client, runs, { stall: true });
  for (const [i, c] of options.conversations.entries())
    options.addConversation(c, options.now - (options.conversations.length - i) * 80 * MIN);
  return { exchanges, runs: runs + 1 };
}
