import { z } from "zod";
import { lazy } from "../contract.js";

// What the alert and silence routes (routes/alerts.ts) answer. Times are ISO-8601 strings.
// Built on first use (the OpenAPI document, the tests), never at a cold start.
export const alertAnswers = lazy(() => {
  const maybeTime = z.string().nullable();
  const labels = z.record(z.string(), z.string());
  const alert = z.strictObject({
    id: z.number(),
    rule: z.string(),
    labels,
    severity: z.string(),
    state: z.enum(["pending", "firing", "resolved"]),
    summary: z.string(),
    startedAt: maybeTime,
    firedAt: maybeTime,
    resolvedAt: maybeTime,
    lastNotifiedAt: maybeTime,
    ackedAt: maybeTime,
  });
  const alertsBody = z.strictObject({ alerts: z.array(alert) });
  const alertDetailBody = alert.extend({
    transitions: z.array(z.strictObject({ from: z.unknown(), to: z.string(), reason: z.string(), at: maybeTime })),
    notifications: z.array(
      z.strictObject({
        kind: z.string(),
        channel: z.string(),
        createdAt: maybeTime,
        attempts: z.number(),
        sentAt: maybeTime,
        failedAt: maybeTime,
        lastError: z.unknown(),
      }),
    ),
  });
  const silence = z.strictObject({ id: z.number(), matchers: labels, startsAt: maybeTime, endsAt: maybeTime, comment: z.string() });
  const silencesBody = z.strictObject({ silences: z.array(silence) });
  const createdBody = z.strictObject({ silence });
  const expiredBody = z.strictObject({ expired: z.literal(true) });
  return { alertsBody, alertDetailBody, silencesBody, createdBody, expiredBody };
});
