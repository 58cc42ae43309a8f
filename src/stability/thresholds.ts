/**
 * Every stability threshold, read once from the environment. The report, its red flags, the
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

export function thresholdsFrom(env: {
  STABILITY_MIN_SUCCESS_RATE: number;
  STABILITY_MAX_ERROR_RATE: number;
  STABILITY_RESPONSE_TIME_MS: number;
  STABILITY_MAX_SIGNATURE_FAILURES: number;
  ZERO_DELIVERY_MINUTES: number;
  STABILITY_UNANSWERED_MINUTES: number;
  STABILITY_UNANSWERED_MIN_RECEIVED: number;
}): StabilityThresholds {
  return {
    minSuccessRate: env.STABILITY_MIN_SUCCESS_RATE,
    maxErrorRate: env.STABILITY_MAX_ERROR_RATE,
    responseTimeMs: env.STABILITY_RESPONSE_TIME_MS,
    maxSignatureFailures: env.STABILITY_MAX_SIGNATURE_FAILURES,
    zeroDeliveryMinutes: env.ZERO_DELIVERY_MINUTES,
    unansweredMinutes: env.STABILITY_UNANSWERED_MINUTES,
    unansweredMinReceived: env.STABILITY_UNANSWERED_MIN_RECEIVED,
  };
}

const MIN = 60_000;

/** How long a reply may still arrive after its message: the response-time limit, in whole rollup minutes. */
export const replyGraceMs = (t: Pick<StabilityThresholds, "responseTimeMs">) => Math.ceil(t.responseTimeMs / MIN) * MIN;

/** Bot not responding, over one window: enough messages, no reply, from a bot that does report its replies. */
export const isUnanswered = (
  w: { received: number; responses: number; answeredBefore: boolean },
  t: Pick<StabilityThresholds, "unansweredMinReceived">,
) => w.answeredBefore && w.responses === 0 && w.received >= t.unansweredMinReceived;
