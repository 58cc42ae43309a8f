import { z } from "zod";
import type { StabilityThresholds } from "../stability/thresholds.js";
import { CHANNELS, type Channel } from "./channels/registry.js";

export type { Channel };

/** The built-in conditions; a rule may instead count any `events.type` with signal "events". */
export const SIGNALS = [
  "run_completed",
  "run_failed",
  "archival_failure",
  "run_stalled",
  "step_failure",
  "signature_failure",
  "zero_deliveries",
  "processing_errors",
  "error_rate",
  "response_time",
  "bot_not_responding",
  "harmful_responses",
  "response_quality",
  "fulfillment_failure_rate",
  "monitoring_errors",
  "job_missed",
  "judge_budget_exhausted",
  "monitoring_lag",
  "scores_refused",
  "regression",
  "conversation_cost",
] as const;
export type Signal = (typeof SIGNALS)[number];

export const ruleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]+$/, "lowercase letters, digits and _"),
    signal: z.enum([...SIGNALS, "events"]),
    /** With signal "events": the `events.type` values counted (threshold: how many in the window, default 1). */
    eventTypes: z
      .array(z.string().regex(/^[a-z0-9_.-]+$/, "lowercase letters, digits, _, . and -"))
      .min(1)
      .optional(),
    severity: z.enum(["critical", "high", "medium", "low"]),
    channels: z.array(z.enum(CHANNELS)).min(1),
    /** How far back the signal looks. */
    windowMinutes: z.number().int().min(1),
    /** A threshold where the signal has one (a rate, milliseconds, minutes). */
    threshold: z.number().min(0).optional(),
    /** Repeats while still firing, at most this often (throttle). */
    repeatMinutes: z.number().int().min(1),
    /** Fires only after this many consecutive failing evaluations. */
    forEvaluations: z.number().int().min(1).default(1),
    /** Waits this long before the first notification; an alert that clears sooner sends nothing. */
    groupWaitSeconds: z.number().int().min(0).default(0),
    /** A cleared alert stays open this long, so one that re-fires meanwhile does not flap. */
    flapMinutes: z.number().int().min(0).default(0),
    /** Whether clearing sends a resolved message (not for notices such as a completed run). */
    notifyResolved: z.boolean().default(true),
    enabled: z.boolean().default(true),
  })
  .superRefine((r, ctx) => {
    if (r.signal === "events" && !r.eventTypes)
      ctx.addIssue({ code: "custom", path: ["eventTypes"], message: 'signal "events" needs the event types to count' });
    if (r.signal !== "events" && r.eventTypes)
      ctx.addIssue({ code: "custom", path: ["eventTypes"], message: 'only a rule with signal "events" counts event types' });
  });

export type Rule = z.infer<typeof ruleSchema>;

const rule = (r: z.input<typeof ruleSchema>): Rule => ruleSchema.parse(r);

/** The seed's run rules (a completed run is a low notice on the console), the stability red flags, and Vigil watching its monitor and itself. */
export const DEFAULT_RULES: Rule[] = [
  rule({
    name: "run_completed",
    signal: "run_completed",
    severity: "low",
    channels: ["console"],
    windowMinutes: 15,
    repeatMinutes: 60,
    notifyResolved: false,
  }),
  rule({
    name: "run_failed",
    signal: "run_failed",
    severity: "critical",
    channels: ["console", "slack", "webhook", "email", "pagerduty"],
    windowMinutes: 15,
    repeatMinutes: 15,
  }),
  rule({
    name: "archival_failure",
    signal: "archival_failure",
    severity: "high",
    channels: ["console", "slack", "webhook", "email", "pagerduty"],
    windowMinutes: 30,
    repeatMinutes: 30,
  }),
  rule({
    name: "run_stalled",
    signal: "run_stalled",
    severity: "medium",
    channels: ["console", "slack", "webhook"],
    windowMinutes: 60,
    repeatMinutes: 60,
  }),
  rule({ name: "step_failure", signal: "step_failure", severity: "medium", channels: ["console"], windowMinutes: 30, repeatMinutes: 30 }),
  rule({
    name: "signature_failure",
    signal: "signature_failure",
    severity: "critical",
    channels: ["console", "slack", "webhook", "email", "pagerduty"],
    windowMinutes: 15,
    repeatMinutes: 60,
  }),
  rule({
    name: "zero_deliveries",
    signal: "zero_deliveries",
    severity: "critical",
    channels: ["console", "slack", "webhook", "email", "pagerduty"],
    windowMinutes: 60,
    threshold: 60,
    repeatMinutes: 60,
  }),
  rule({
    name: "processing_errors",
    signal: "processing_errors",
    severity: "critical",
    channels: ["console", "slack", "webhook", "email", "pagerduty"],
    windowMinutes: 15,
    repeatMinutes: 60,
  }),
  rule({
    name: "error_rate",
    signal: "error_rate",
    severity: "medium",
    channels: ["console", "slack"],
    windowMinutes: 60,
    threshold: 0.05,
    repeatMinutes: 120,
    flapMinutes: 10,
  }),
  rule({
    name: "response_time",
    signal: "response_time",
    severity: "medium",
    channels: ["console", "slack"],
    windowMinutes: 60,
    threshold: 10_000,
    repeatMinutes: 120,
    flapMinutes: 10,
  }),
  // Seed 003's CRITICAL "Bot not responding to messages". Window and threshold (deliveries with
  // no reply) come from STABILITY_UNANSWERED_MINUTES and STABILITY_UNANSWERED_MIN_RECEIVED.
  rule({
    name: "bot_not_responding",
    signal: "bot_not_responding",
    severity: "critical",
    channels: ["console", "slack", "webhook", "email"],
    windowMinutes: 10,
    threshold: 5,
    repeatMinutes: 60,
  }),
  // Seed 003's CRITICAL "Inappropriate or harmful responses": acted on immediately.
  rule({
    name: "harmful_responses",
    signal: "harmful_responses",
    severity: "critical",
    channels: ["console", "slack", "webhook", "email"],
    windowMinutes: 60,
    repeatMinutes: 60,
  }),
  // Its WARNINGs on quality: off-topic, repetitive, wrong language, unanswered.
  rule({
    name: "response_quality",
    signal: "response_quality",
    severity: "medium",
    channels: ["console", "slack"],
    windowMinutes: 60,
    repeatMinutes: 240,
  }),
  rule({
    name: "fulfillment_failure_rate",
    signal: "fulfillment_failure_rate",
    severity: "high",
    channels: ["console", "slack"],
    windowMinutes: 60,
    threshold: 0.2,
    repeatMinutes: 120,
  }),
  rule({
    name: "monitoring_errors",
    signal: "monitoring_errors",
    severity: "medium",
    channels: ["console", "slack"],
    windowMinutes: 60,
    repeatMinutes: 120,
  }),
  rule({
    name: "job_missed",
    signal: "job_missed",
    severity: "critical",
    channels: ["console", "slack", "webhook", "email", "pagerduty"],
    windowMinutes: 5,
    repeatMinutes: 60,
  }),
  rule({
    name: "judge_budget_exhausted",
    signal: "judge_budget_exhausted",
    severity: "high",
    channels: ["console", "slack"],
    windowMinutes: 10,
    repeatMinutes: 240,
  }),
  // threshold: minutes the Langfuse import may be behind (3 monitor cycles).
  rule({
    name: "monitoring_lag",
    signal: "monitoring_lag",
    severity: "high",
    channels: ["console", "slack"],
    windowMinutes: 15,
    threshold: 15,
    repeatMinutes: 120,
  }),
  // Langfuse refused verdicts' scores (400): they are kept with the reason and not sent again.
  rule({
    name: "scores_refused",
    signal: "scores_refused",
    severity: "medium",
    channels: ["console", "slack"],
    windowMinutes: 60,
    repeatMinutes: 240,
  }),
  // windowMinutes: the recent window compared with the same hours of the baseline days (and the last 24 h).
  rule({
    name: "regression",
    signal: "regression",
    severity: "high",
    channels: ["console", "slack"],
    windowMinutes: 60,
    repeatMinutes: 240,
  }),
  // threshold: how many times the baseline's cost per conversation (COST_SPIKE_RATIO).
  rule({
    name: "conversation_cost",
    signal: "conversation_cost",
    severity: "high",
    channels: ["console", "slack"],
    windowMinutes: 60,
    threshold: 2,
    repeatMinutes: 240,
  }),
];

interface RuleSettings {
  fulfillmentFailureRate: number;
  costSpikeRatio?: number;
  stability?: StabilityThresholds;
}

/** What a default rule takes from the settings, so a threshold set once moves the alert with the report. */
function withSettings(r: Rule, s: RuleSettings): Rule {
  const t = s.stability;
  if (r.signal === "fulfillment_failure_rate") return { ...r, threshold: s.fulfillmentFailureRate };
  if (r.signal === "conversation_cost" && s.costSpikeRatio !== undefined) return { ...r, threshold: s.costSpikeRatio };
  if (!t) return r;
  switch (r.signal) {
    case "error_rate":
      return { ...r, threshold: t.maxErrorRate };
    case "response_time":
      return { ...r, threshold: t.responseTimeMs };
    case "zero_deliveries":
      return { ...r, windowMinutes: t.zeroDeliveryMinutes, threshold: t.zeroDeliveryMinutes };
    case "bot_not_responding":
      return { ...r, windowMinutes: t.unansweredMinutes, threshold: t.unansweredMinReceived };
    default:
      return r;
  }
}

/**
 * The defaults with the thresholds that are settings (the stability ones from stability/thresholds.ts,
 * as the report reads them); a rules source is applied over them (rules-source.ts).
 */
export function defaultRules(settings: RuleSettings): Rule[] {
  return DEFAULT_RULES.map((r) => withSettings(r, settings));
}
