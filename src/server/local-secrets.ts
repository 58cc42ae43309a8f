import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError } from "../errors.js";

// First run without configuration: strong secrets generated once, kept next to the embedded
// database, reused on every later start. Only the local server and the CLI read this file.

const NAMES = ["VIGIL_API_KEY", "WEBHOOK_SECRET", "CRON_SECRET"] as const;
export type LocalSecretName = (typeof NAMES)[number];
export type LocalSecrets = Record<LocalSecretName, string>;

const fileSchema = z
  .object({ VIGIL_API_KEY: z.string().min(32), WEBHOOK_SECRET: z.string().min(32), CRON_SECRET: z.string().min(32) })
  .partial();

/** Strong enough for the start-up checks: 32 random bytes each, the webhook secret in Standard Webhooks form. */
export function generateSecret(name: LocalSecretName): string {
  const bytes = randomBytes(32);
  return name === "WEBHOOK_SECRET" ? `whsec_${bytes.toString("base64")}` : bytes.toString("hex");
}

export const localSecretsPath = (dataDir: string) => join(dataDir, "local-secrets.json");

/** The stored secrets, or an empty object when there is no file yet. */
export function readLocalSecrets(dataDir: string): Partial<LocalSecrets> {
  const path = localSecretsPath(dataDir);
  if (!existsSync(path)) return {};
  const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) throw new ConfigError(`${path} is not a valid local secrets file: delete it to generate new secrets`);
  return parsed.data;
}

/**
 * The secrets the environment leaves unset, from the file or generated (and then stored with
 * mode 600). `generated` lists the names created now, so the caller can say so.
 */
export function ensureLocalSecrets(
  dataDir: string,
  configured: Partial<Record<LocalSecretName, string | undefined>>,
): { secrets: Partial<LocalSecrets>; generated: LocalSecretName[] } {
  const missing = NAMES.filter((name) => !configured[name]);
  if (missing.length === 0) return { secrets: {}, generated: [] };
  const stored = readLocalSecrets(dataDir);
  const generated = missing.filter((name) => !stored[name]);
  for (const name of generated) stored[name] = generateSecret(name);
  if (generated.length > 0) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = localSecretsPath(dataDir);
    writeFileSync(path, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    // writeFileSync's mode applies only to a new file.
    chmodSync(path, 0o600);
  }
  return { secrets: Object.fromEntries(missing.map((name) => [name, stored[name]!])), generated };
}
