import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface FakeSmtp {
  port: number;
  /** Every message accepted, with its envelope. */
  mails: { from: string; to: string[]; data: string }[];
  /** The user names that authenticated (AUTH reached the server). */
  auths: string[];
  /** Refuses the next recipient with 550, as a mailbox that does not exist. */
  rejectNextRecipient(): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback without TLS: nodemailer's own server (nodemailer/smtp-server,
 * its smtp-connection.js the SMTP dialogue and sasl.js the AUTH of RFC 4954), the other end of
 * what the email channel sends. STARTTLS is off, so it is also the server (or man in the middle) that strips
 * it: `auth: "required"` asks for AUTH anyway.
 */
export async function startFakeSmtp(options: { auth?: "optional" | "required" } = {}): Promise<FakeSmtp> {
  const mails: FakeSmtp["mails"] = [];
  const auths: string[] = [];
  let rejectNext = false;
  const server = new SMTPServer({
    authOptional: options.auth !== "required",
    allowInsecureAuth: options.auth === "required",
    disabledCommands: ["STARTTLS"],
    onAuth(auth, _session, callback) {
      auths.push(String(auth.username));
      callback(null, { user: auth.username });
    },
    onRcptTo(_address, _session, callback) {
      if (!rejectNext) return callback();
      rejectNext = false;
      callback(Object.assign(new Error("mailbox unavailable"), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      let data = "";
      stream.on("data", (c: Buffer) => (data += c.toString()));
      stream.on("end", () => {
        mails.push({
          from: String(session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined),
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    auths,
    rejectNextRecipient: () => {
      rejectNext = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
