import type { Transporter } from "nodemailer";
import { errorMessage, UpstreamError } from "../../errors.js";
import { oneLine, showBidiControls } from "../../security/control-characters.js";
import { headline, type AlertMessage, type ChannelDefinition } from "./sender.js";

// Each summary is one line (an agent's error message may hold line breaks): none can add a fake
// "all clear" or a "Status page:" link that is not Vigil's. Bidirectional controls are shown as
// `\uNNNN`, so an outside value cannot reorder the line a reader sees (CVE-2021-42574).
const outside = (text: string) => showBidiControls(oneLine(text));

function emailText(m: AlertMessage): string {
  return [
    headline(m),
    "",
    ...m.alerts.map(
      (a) =>
        `- ${outside(a.summary)}\n  labels: ${outside(JSON.stringify(a.labels))}\n  since: ${a.startedAt}${a.resolvedAt ? `\n  resolved: ${a.resolvedAt}` : ""}`,
    ),
    ...(m.statusUrl ? ["", `Status page: ${m.statusUrl}`] : []),
  ].join("\n");
}

/** SMTP (SMTP_HOST, SMTP_PORT, SMTP_SECURE, SMTP_USER, SMTP_PASSWORD, ALERT_EMAIL_FROM, ALERT_EMAIL_TO). */
export const emailChannel: ChannelDefinition = {
  fromEnv(env) {
    const [host, from, to] = [env.SMTP_HOST, env.ALERT_EMAIL_FROM, env.ALERT_EMAIL_TO];
    if (!host || !from || !to) return undefined;
    const options = {
      host,
      port: env.SMTP_PORT,
      secure: env.SMTP_SECURE,
      // Without implicit TLS, STARTTLS is required: a server (or a man in the middle) that does
      // not offer it gets no AUTH in clear. Only a loopback relay may be allowed without it.
      requireTLS: !env.SMTP_SECURE && !env.SMTP_ALLOW_PLAINTEXT_LOCALHOST,
      auth: env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD ?? "" } : undefined,
      connectionTimeout: 10_000,
      socketTimeout: 10_000,
    };
    // nodemailer is imported on first send: most function instances never send an e-mail.
    let transport: Promise<Transporter> | undefined;
    const mailer = () => (transport ??= import("nodemailer").then(({ createTransport }) => createTransport(options)));
    return async (m) => {
      try {
        await (await mailer()).sendMail({ from, to, subject: `[Vigil] ${headline(m)}`, text: emailText(m) });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        // 5xx SMTP replies are permanent; connection errors and 4xx are worth retrying.
        throw new UpstreamError(`smtp: ${errorMessage(error)}`, code === undefined || code < 500, { cause: error });
      }
    };
  },
};
