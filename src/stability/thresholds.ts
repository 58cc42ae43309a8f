/**
 * Every stability threshold, built once from the configuration (src/settings.ts). The report, its red flags, the
 * checkpoints, the default alert rules (and a rules-file rule that names no threshold) and the
 * status page all take them from here, so tightening one moves every consumer together.
 */
export interface StabilityThresholds {
  minSuccessRate: number;
  maxErrorRate: number;
  responseTimeMs: number;
  maxSignatureFailures: number;
  zeroDeliveryMinutes: number;
  /** Bot not responding: this many minutes with messages arriving and no reply… */
  unansweredMinutes: number;
  /** …and at least this many messages received in them. */
  unansweredMinReceived: number;
}

const MIN = 60_000;

/** How long a reply may still arrive after its message: the response-time limit, in whole rollup minutes. */
export const replyGraceMs = (t: Pick<StabilityThresholds, "responseTimeMs">) => Math.ceil(t.responseTimeMs / MIN) * MIN;

/** Bot not responding, over one window: enough messages, no reply, from a bot that does report its replies. */
export const isUnanswered = (
  w: { received: number; responses: number; answeredBefore: boolean },
  t: Pick<StabilityThresholds, "unansweredMinReceived">,
) => w.answeredBefore && w.responses === 0 && w.received >= t.unansweredMinReceived;
