import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSmtp, startFakeSmtp } from "../../fakes/smtp-server.js";
import { channelsFromEnv } from "../../src/alerts/channels/registry.js";
import { UpstreamError } from "../../src/errors.js";
import { captureLogs, testEnv } from "../helpers/deps.js";

let smtp: FakeSmtp;

beforeAll(async () => {
  smtp = await startFakeSmtp();
});
afterAll(() => smtp.close());

const message = {
  groupKey: "zero_deliveries@1",
  rule: "zero_deliveries",
  severity: "critical",
  kind: "firing" as const,
  alerts: [
    {
      id: 1,
      labels: { source: "bot" },
      summary: "no deliveries from bot for 61 minutes",
      startedAt: "2026-11-23T10:00:00.000Z",
      resolvedAt: null,
    },
  ],
  statusUrl: "https://vigil.example.com/status",
};

/** The local SMTP server, sending to `to`. */
const smtpEnv = (to: string) =>
  testEnv({
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(smtp.port),
    SMTP_ALLOW_PLAINTEXT_LOCALHOST: "true",
    ALERT_EMAIL_FROM: "vigil@example.com",
    ALERT_EMAIL_TO: to,
  });

describe("the email channel", () => {
  it("sends the alert to the configured recipients over SMTP", async () => {
    const env = smtpEnv("oncall@example.com, lead@example.com");
    const { email } = channelsFromEnv(env, { log: captureLogs().logger, clock: Date.now });
    await email!(message);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(["oncall@example.com", "lead@example.com"]);
    // The subject carries an emoji, so it is RFC 2047 encoded.
    expect(smtp.mails[0]!.data).toContain("Subject: =?UTF-8?Q?=5BVigil=5D_=F0=9F=94=B4_CRITICAL_zero");
    // Quoted-printable body: undo the soft line breaks before reading it.
    expect(smtp.mails[0]!.data.replace(/=\r\n/g, "")).toContain("no deliveries from bot for 61 minutes");
  });

  it("reports a permanent SMTP refusal as not retryable, an unreachable server as retryable", async () => {
    const env = smtpEnv("nobody@example.com");
    smtp.rejectNextRecipient();
    const refused = await channelsFromEnv(env, { log: captureLogs().logger, clock: Date.now }).email!(message).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpstreamError);
    expect((refused as UpstreamError).retryable).toBe(false);
    const down = testEnv({
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: "9",
      ALERT_EMAIL_FROM: "vigil@example.com",
      ALERT_EMAIL_TO: "x@example.com",
    });
    const unreachable = await channelsFromEnv(down, { log: captureLogs().logger, clock: Date.now }).email!(message).catch(
      (e: unknown) => e,
    );
    expect((unreachable as UpstreamError).retryable).toBe(true);
  });

  it("an alert's outside text adds no line to the mail: no fake status link, no headers", async () => {
    const env = smtpEnv("oncall@example.com");
    // An agent's error message (free text recorded with the API key) in a step_failure summary.
    const summary =
      "backend-agent failed: disk full\r\n\r\nAll clear, ignore this alert.\r\nStatus page: https://evil.example/login\u2028Bcc: x@evil.example";
    const before = smtp.mails.length;
    await channelsFromEnv(env, { log: captureLogs().logger, clock: Date.now }).email!({
      ...message,
      rule: "step_failure",
      alerts: [{ ...message.alerts[0]!, labels: { execution: "exec-1" }, summary }],
    });
    const mail = smtp.mails[before]!.data.replace(/=\r\n/g, "");
    const body = mail.slice(mail.indexOf("\r\n\r\n") + 4);
    expect(body.match(/^Status page: .*$/gm)).toEqual(["Status page: https://vigil.example.com/status"]);
    expect(body).not.toMatch(/^All clear/m);
    expect(body).toContain("disk full");
    expect(mail.slice(0, mail.indexOf("\r\n\r\n"))).not.toMatch(/evil/i);
  });

  it("shows bidi controls in outside text as escapes, so a summary cannot reorder what is read", async () => {
    const env = smtpEnv("oncall@example.com");
    const before = smtp.mails.length;
    await channelsFromEnv(env, { log: captureLogs().logger, clock: Date.now }).email!({
      ...message,
      alerts: [{ ...message.alerts[0]!, labels: { source: "bot\u202e" }, summary: "error from \u202edetcelfer\u2069 bot" }],
    });
    const mail = smtp.mails[before]!.data.replace(/=\r\n/g, "");
    const decoded = Buffer.from(mail, "latin1").toString("utf8");
    expect(decoded).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(decoded).toContain("\\u202edetcelfer\\u2069");
  });

  it("is absent when SMTP is not configured, and SMTP without addresses is refused at start", () => {
    expect(channelsFromEnv(testEnv({}), { log: captureLogs().logger, clock: Date.now }).email).toBeUndefined();
    expect(() => testEnv({ SMTP_HOST: "127.0.0.1" })).toThrow(/ALERT_EMAIL_FROM/);
  });
});
