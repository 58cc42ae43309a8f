import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSmtp, startFakeSmtp } from "../../fakes/smtp-server.js";
import { channelsFromEnv } from "../../src/alerts/channels/registry.js";
import type { AlertMessage } from "../../src/alerts/channels/sender.js";
import { slackPayload, SLACK_TEXT_MAX } from "../../src/alerts/channels/slack.js";
import { parseEnv } from "../../src/env.js";
import { captureLogs, testEnv } from "../helpers/deps.js";

// SMTP credentials never sent in clear, and Slack text a bot cannot turn into @channel.

describe("SMTP never sends credentials in clear", () => {
  let smtp: FakeSmtp;
  // A server (or a man in the middle) that strips STARTTLS but asks for AUTH.
  beforeAll(async () => {
    smtp = await startFakeSmtp({ auth: "required" });
  });
  afterAll(() => smtp.close());

  const message: AlertMessage = { groupKey: "g@1", rule: "job_missed", severity: "critical", kind: "firing", alerts: [], statusUrl: null };
  const smtpEnv = (extra: Record<string, string> = {}) =>
    testEnv({
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(smtp.port),
      SMTP_USER: "vigil",
      SMTP_PASSWORD: "smtp-password-not-to-leak",
      ALERT_EMAIL_FROM: "v@example.com",
      ALERT_EMAIL_TO: "o@example.com",
      ...extra,
    });

  it("refuses to send without STARTTLS: no AUTH reaches the server", async () => {
    const { email } = channelsFromEnv(smtpEnv(), { log: captureLogs().logger, clock: Date.now });
    await expect(email!(message)).rejects.toThrow(/STARTTLS|TLS/i);
    expect(smtp.auths).toEqual([]);
  });

  it("allows plaintext only when explicitly asked, and only for a loopback host", async () => {
    const { email } = channelsFromEnv(smtpEnv({ SMTP_ALLOW_PLAINTEXT_LOCALHOST: "true" }), { log: captureLogs().logger, clock: Date.now });
    await email!(message);
    expect(smtp.auths).toEqual(["vigil"]);
    expect(() =>
      parseEnv({
        SMTP_HOST: "smtp.example.com",
        SMTP_ALLOW_PLAINTEXT_LOCALHOST: "true",
        ALERT_EMAIL_FROM: "a@b.c",
        ALERT_EMAIL_TO: "c@d.e",
      }),
    ).toThrow(/SMTP_ALLOW_PLAINTEXT_LOCALHOST/);
  });
});

describe("Slack text is escaped and bounded", () => {
  it("a bot-supplied error type cannot ping the channel or inject a link", () => {
    const m: AlertMessage = {
      groupKey: "g@1",
      rule: "processing_errors",
      severity: "critical",
      kind: "firing",
      alerts: [
        {
          id: 1,
          labels: { source: "bot<!here>" },
          summary: "3 processing error(s) from bot (<!channel> & <https://evil.example|click>: 3)",
          startedAt: "2026-11-23T10:00:00.000Z",
          resolvedAt: null,
        },
      ],
      statusUrl: "https://vigil.example.com/status",
    };
    const payload = slackPayload(m);
    const texts = [payload.text, JSON.stringify(payload.blocks[1])];
    for (const text of texts) {
      expect(text).not.toMatch(/<!channel>|<!here>|<https:\/\/evil/);
      expect(text).toContain("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
    }
    // Vigil's own link to the status page stays a link.
    expect(JSON.stringify(payload.blocks[2])).toContain("<https://vigil.example.com/status|Vigil status page>");
  });

  it("outside text cannot restyle the message or reorder it: formatting characters become lookalikes, bidi controls visible escapes", () => {
    const payload = slackPayload({
      groupKey: "g@1",
      rule: "step_failure",
      severity: "critical",
      kind: "firing",
      alerts: [
        {
          id: 1,
          labels: { execution: "~exec_1~" },
          summary: "coder failed: *all clear* _ignore_ ~critical~ `rm -rf` \u202eyfitrec\u2066",
          startedAt: "2026-11-23T10:00:00.000Z",
          resolvedAt: null,
        },
      ],
      statusUrl: null,
    });
    for (const text of [payload.text, (payload.blocks[1] as { text: { text: string } }).text.text]) {
      expect(text).not.toMatch(/\*all clear\*|_ignore_|~critical~|`rm -rf`|~exec_1~/);
      expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
      expect(text).toContain("\u2217all clear\u2217 \u02cdignore\u02cd \u223ccritical\u223c \u02cbrm -rf\u02cb \\u202eyfitrec\\u2066");
    }
    // Vigil's own italics around the labels stay formatting.
    expect((payload.blocks[1] as { text: { text: string } }).text.text).toContain("_(execution=\u223cexec\u02cd1\u223c)_");
  });

  it("bounds the top-level text however many alerts are grouped", () => {
    const alerts = Array.from({ length: 500 }, (_, i) => ({
      id: i,
      labels: { source: `made-up-${i}` },
      summary: `signature failure from made-up-${i}`,
      startedAt: "2026-11-23T10:00:00.000Z",
      resolvedAt: null,
    }));
    const payload = slackPayload({
      groupKey: "g@1",
      rule: "signature_failure",
      severity: "critical",
      kind: "firing",
      alerts,
      statusUrl: null,
    });
    expect(payload.text.length).toBeLessThanOrEqual(SLACK_TEXT_MAX);
    expect(JSON.stringify(payload).length).toBeLessThan(8_000);
  });
});
