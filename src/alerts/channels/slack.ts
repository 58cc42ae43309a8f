import { postJson } from "./http-post.js";
import { oneLine, showBidiControls } from "../../security/control-characters.js";
import { headline, type AlertMessage, type ChannelDefinition } from "./sender.js";

/**
 * Slack reads `<…>` as links and mentions (`<!channel>`) and `&` as an entity in mrkdwn and in
 * the top-level text; summaries and labels carry bot-supplied strings, so these three are
 * escaped as Slack documents (api.slack.com/reference/surfaces/formatting#escaping). A line break
 * in them (an agent's error message may hold several) would be a line of the attacker's in
 * Vigil's message, a fake bullet or a fake "resolved": control characters and the Unicode line
 * and paragraph separators become spaces.
 */
const entities = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const slackEscape = (text: string) => entities(unformatted(showBidiControls(oneLine(text))));
/**
 * mrkdwn has no escape for its formatting characters, so in outside values each becomes its
 * lookalike: `*bold*`, `_italic_`, `~strike~` and `code` from a sender cannot restyle Vigil's message
 * (hide part of it, strike "critical" through). Bidirectional controls are shown as `\uNNNN` so a
 * summary cannot reorder what is read (CVE-2021-42574).
 */
const LOOKALIKE: Record<string, string> = { "*": "\u2217", _: "\u02cd", "~": "\u223c", "`": "\u02cb" };
const unformatted = (text: string) => text.replace(/[*_~`]/g, (c) => LOOKALIKE[c]!);
/**
 * mrkdwn with `verbatim: false` (the default) has Slack turn plain URLs, channel names and "certain
 * mentions" into links and mentions; `verbatim: true` leaves plain text as written and still reads
 * Vigil's own `<url|text>` link (docs.slack.dev/reference/block-kit/composition-objects/text-object).
 */
const mrkdwn = (text: string) => ({ type: "mrkdwn", text, verbatim: true });
/** The fallback text shown in notifications; Slack truncates past 40,000 characters, ours stays short. */
export const SLACK_TEXT_MAX = 3000;
const bound = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function slackPayload(m: AlertMessage) {
  const lines = m.alerts.map(
    (a) =>
      `• ${slackEscape(a.summary)}${
        Object.keys(a.labels).length
          ? ` _(${slackEscape(
              Object.entries(a.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(", "),
            )})_`
          : ""
      } — since ${a.startedAt}`,
  );
  return {
    text: bound(`${entities(oneLine(headline(m)))}: ${m.alerts.map((a) => slackEscape(a.summary)).join("; ")}`, SLACK_TEXT_MAX),
    blocks: [
      { type: "header", text: { type: "plain_text", text: headline(m).slice(0, 150) } },
      { type: "section", text: mrkdwn(bound(lines.join("\n"), 2900)) },
      ...(m.statusUrl ? [{ type: "context", elements: [mrkdwn(`<${m.statusUrl}|Vigil status page>`)] }] : []),
    ],
  };
}

/** An incoming webhook (SLACK_WEBHOOK_URL). */
export const slackChannel: ChannelDefinition = {
  fromEnv(env, { clock }) {
    const url = env.SLACK_WEBHOOK_URL;
    if (!url) return undefined;
    return (m) => postJson(url, JSON.stringify(slackPayload(m)), {}, "slack webhook", clock());
  },
};
