import { consoleChannel } from "./console.js";
import { emailChannel } from "./email.js";
import { pagerDutyChannel, pagerDutyEscalationChannel } from "./pagerduty.js";
import type { ChannelContext, ChannelDefinition, ChannelVariables, Sender } from "./sender.js";
import { slackChannel } from "./slack.js";
import { webhookChannel } from "./webhook.js";

/** The channels a rule may name; adding one here makes the compiler ask for its module below. */
export const CHANNELS = ["console", "slack", "webhook", "email", "pagerduty", "pagerduty_escalation"] as const;
export type Channel = (typeof CHANNELS)[number];

export const channels = {
  console: consoleChannel,
  slack: slackChannel,
  webhook: webhookChannel,
  email: emailChannel,
  pagerduty: pagerDutyChannel,
  pagerduty_escalation: pagerDutyEscalationChannel,
} satisfies Record<Channel, ChannelDefinition>;

/** The senders this deployment can use; a channel that is not configured is absent. */
export function channelsFromEnv(env: ChannelVariables, ctx: ChannelContext): Partial<Record<Channel, Sender>> {
  const senders: Partial<Record<Channel, Sender>> = {};
  for (const name of CHANNELS) {
    const send = channels[name].fromEnv(env, ctx);
    if (send) senders[name] = send;
  }
  return senders;
}
