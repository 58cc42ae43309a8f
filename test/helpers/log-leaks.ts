import { LANGFUSE_SECRET_KEY } from "../../fakes/langfuse-server.js";
import { OPENAI_API_KEY } from "../../fakes/openai-server.js";
import { SLACK_HOOK_TOKEN } from "../../fakes/slack-server.js";
import { UPSTASH_TOKEN } from "../../fakes/upstash-rest-server.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { API_KEY, CRON_SECRET } from "./deps.js";
import { WEBHOOK_SECRET } from "./webhooks.js";

/** Every secret the tests configure. */
export const TEST_SECRETS = [
  CRON_SECRET,
  API_KEY,
  WEBHOOK_SECRET,
  WEBHOOK_SECRET.replace(/^whsec_/, ""),
  LANGFUSE_SECRET_KEY,
  OPENAI_API_KEY,
  UPSTASH_TOKEN,
  SLACK_HOOK_TOKEN,
];

/**
 * The first 25 characters of each line people said to the bot or the bot said back (long
 * enough to be unmistakable, short enough to catch a truncated transcript too).
 */
export const TRANSCRIPT_LINES = [
  ...new Set(
    FIXTURES.flatMap((f) => f.turns.filter((t) => /^[CB]:/.test(t)).map((t) => t.slice(2)))
      .filter((t) => t.length >= 25)
      .map((t) => t.slice(0, 25)),
  ),
];

// A credential after Bearer/Basic, as it would appear if a header were logged.
const CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9+/=._-]{8,}/;

/** Each leak found in the lines, described without repeating the secret itself. */
export function findLeaks(lines: string[]): string[] {
  const leaks: string[] = [];
  for (const line of lines) {
    const json = JSON.stringify(line);
    for (const [i, s] of TEST_SECRETS.entries()) if (line.includes(s)) leaks.push(`secret #${i} in: ${json.slice(0, 120)}`);
    if (CREDENTIAL.test(line)) leaks.push(`a credential in: ${json.slice(0, 120).replace(CREDENTIAL, "$1 …")}`);
    for (const t of TRANSCRIPT_LINES)
      if (line.includes(t) || json.includes(JSON.stringify(t).slice(1, -1)))
        leaks.push(`transcript "${t.slice(0, 30)}…" in: ${json.slice(0, 120)}`);
  }
  return leaks;
}
