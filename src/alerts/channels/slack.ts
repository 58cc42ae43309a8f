import { postJson } from "./http-post.js";
import { oneLine } from "../../security/control-characters.js";
import { headline, type AlertMessage, type ChannelDefinition } from "./sender.js";

/**
 * Slack reads `<…>` as links and mentions (`<!channel>`) and `&` as an entity in mrkdwn and in
 * the top-level text; summaries and labels carry bot-supplied strings, so these three are
 * escaped as Slack documents (api.slack.com/reference/surfaces/formatting#escaping). A line break
 * in them (an agent's error message may hold several) would be a line of the attacker's in
 * Vigil's message, a fake bullet or a fake "resolved": control characters and the Unicode line
 * and paragraph separators become spaces.
 */
const slackEscape = (text: string) => oneLine(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
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
    text: bound(slackEscape(`${headline(m)}: ${m.alerts.map((a) => a.summary).join("; ")}`), SLACK_TEXT_MAX),
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
