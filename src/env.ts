import { existsSync, readFileSync } from "node:fs";
import { parseEnv as parseDotEnv } from "node:util";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { MAX_DURATION_SECONDS } from "./deploy/vercel-config.js";
import { jobSchedules, type JobSchedules } from "./scheduling/schedules.js";
import { lowEntropy, secretWeakness, sourceKey, splitSecrets } from "./security/signing-keys.js";

// The one place that reads process.env. Everything else receives the parsed Env.

const optionalString = z.string().optional();
const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const fraction = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .transform((v) => v === "true" || v === "1" || v === "yes")
    .default(fallback);

// A bearer secret: long enough, and not one character or a short pattern repeated.
const apiSecret = z
  .string()
  .min(16, "must be at least 16 characters")
  .superRefine((value, ctx) => {
    const weakness = lowEntropy(value);
    if (weakness) ctx.addIssue({ code: "custom", message: weakness });
  })
  .optional();

const envSchema = z.object({
  PORT: int(3000).pipe(z.number().max(65535)),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  VIGIL_PUBLIC_URL: z.url().optional(),
  /** Where the CLI finds Vigil. */
  VIGIL_URL: z.url().default("http://localhost:3000"),
  /** The CLI answers yes to its questions (cleanup) without a terminal: cron jobs, CI. */
  VIGIL_ASSUME_YES: bool(false),
  /** Where the local server keeps the secrets it generates on first run (never in production). */
  VIGIL_DATA_DIR: z.string().default(".data"),
  /** "production" (like VERCEL=1): secrets are never generated. */
  NODE_ENV: optionalString,

  TURSO_DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:|https?:|wss?:)/, "must start with file:, libsql:, http(s): or ws(s):")
    .default("file:.data/vigil.db"),
  TURSO_AUTH_TOKEN: optionalString,
  /** An embedded replica: TURSO_DATABASE_URL is then its local file, kept in step with this primary. */
  TURSO_SYNC_URL: z
    .string()
    .regex(/^(libsql:|https?:)/, "must start with libsql: or http(s):")
    .optional(),
  TURSO_SYNC_INTERVAL_SECONDS: int(60, 1),
  /** Set to 1 by Vercel in every build and function. */
  VERCEL: optionalString,
  DB_BUSY_TIMEOUT_MS: int(5000),
  /** Events an instance stores between the rollup catch-ups it starts itself (besides the heartbeat's). */
  ROLLUP_CATCH_UP_EVERY: int(1000, 1),

  CRON_SECRET: apiSecret,
  VIGIL_API_KEY: apiSecret,
  STATUS_PAGE: z.enum(["private", "public"]).default("private"),
  AUTH_FAILURES_PER_MINUTE: int(10, 1),

  CRON_MAX_DURATION_SECONDS: int(300, 10),
  /** Each job's real cadence (cron, UTC): vercel.ts schedules Vercel's crons from it, job_missed and /api/health expect it. */
  HEARTBEAT_SCHEDULE: optionalString,
  MONITOR_SCHEDULE: optionalString,
  CHECKPOINT_SCHEDULE: optionalString,
  /** "external": no Vercel crons (vercel.ts), a scheduler of yours calls /api/cron/* on the schedules. */
  CRON_SCHEDULER: z.enum(["vercel", "external"]).default("vercel"),
  BODY_LIMIT_BYTES: int(256 * 1024, 1024),
  HEARTBEAT_STALE_SECONDS: int(180, 60),
  SHUTDOWN_GRACE_SECONDS: int(25, 1),
  LOCAL_SCHEDULER: bool(true),

  WEBHOOK_SECRET: optionalString,
  /** The sources that exist (comma-separated); others answer 404. Sources with their own secret always exist. */
  WEBHOOK_SOURCES: optionalString,
  WEBHOOK_MAX_BYTES: int(256 * 1024, 1024),
  WEBHOOK_TOLERANCE_SECONDS: int(300, 1),
  WEBHOOK_REPLAY_WINDOW_DAYS: int(90, 1),
  WEBHOOK_RATE_LIMIT_PER_MINUTE: int(600, 1),
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: optionalString,

  LANGFUSE_PUBLIC_KEY: optionalString,
  LANGFUSE_SECRET_KEY: optionalString,
  LANGFUSE_BASE_URL: z.url().default("https://cloud.langfuse.com"),
  LANGFUSE_TIMEOUT_SECONDS: int(20, 1),
  LANGFUSE_REQUESTS_PER_MINUTE: int(30, 4),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.url().optional(),
  JUDGE_MODEL: z.string().default("gpt-4o-mini"),
  /** A number, "omit" (the model's default), or "auto": omitted for reasoning models, 0 otherwise. */
  JUDGE_TEMPERATURE: z.union([z.enum(["auto", "omit"]), z.coerce.number().min(0).max(2)]).default("auto"),
  /** How the judge asks for JSON: "auto" tries strict json_schema and falls back to json_object when refused. */
  JUDGE_RESPONSE_FORMAT: z.enum(["auto", "json_schema", "json_object"]).default("auto"),
  MODEL_TIMEOUT_SECONDS: int(45, 1),
  MODEL_CALLS_PER_MINUTE: int(500, 1),
  /** Unset: the built-in price of JUDGE_MODEL (src/integrations/model-prices.ts). */
  JUDGE_PRICE_INPUT_PER_MTOK: z.coerce.number().min(0).optional(),
  JUDGE_PRICE_OUTPUT_PER_MTOK: z.coerce.number().min(0).optional(),
  /** Caps each judge reply, reasoning included (max_completion_tokens); unset: the model's own limit. */
  JUDGE_MAX_COMPLETION_TOKENS: z.coerce.number().int().min(16).optional(),
  /** reasoning_effort for reasoning models: "auto" (low for o-series and GPT-5, none sent to others), "omit", or a level. */
  JUDGE_REASONING_EFFORT: z.enum(["auto", "omit", "minimal", "low", "medium", "high"]).default("auto"),
  JUDGE_MAX_TOKENS_PER_CYCLE: int(2_000_000, 1),
  JUDGE_MAX_COST_PER_DAY_USD: z.coerce.number().min(0).default(20),
  MONITOR_CONCURRENCY: int(8, 1),
  MONITOR_BUDGET_FRACTION: fraction(0.8),
  MONITOR_OVERLAP_MINUTES: int(15, 0),
  MONITOR_INITIAL_LOOKBACK_HOURS: int(24, 1),
  MONITOR_MAX_ATTEMPTS: int(3, 1),
  MONITOR_MAX_SESSIONS_PER_CYCLE: int(500, 1),
  MONITOR_SAMPLE_RATE: fraction(1),
  SESSION_IDLE_MINUTES: int(5, 0),
  SESSION_END_MARKERS: z.string().default("conversation_end"),
  INTERNAL_TRACE_NAMES: z.string().default(""),
  INTERNAL_TRACE_TAGS: z.string().default("internal"),
  INTENT_TAXONOMY: z.string().default("book,reschedule,cancel,information,complaint,transfer_to_human,other,unknown"),
  TRANSCRIPT_MAX_CHARS: int(24_000, 1000),
  VERIFIER_URL: z.url().optional(),
  VERIFIER_DELAY_MS: int(200),
  DIAGNOSES_PER_CYCLE: int(3, 0),

  ALERT_RULES_FILE: optionalString,
  /** The rules themselves (JSON or YAML): a deployment's rules without a file to bundle. */
  ALERT_RULES_JSON: optionalString,
  SLACK_WEBHOOK_URL: z.url().optional(),
  ALERT_WEBHOOK_URL: z.url().optional(),
  ALERT_WEBHOOK_SECRET: optionalString,
  SMTP_HOST: optionalString,
  SMTP_PORT: int(587, 1),
  SMTP_SECURE: bool(false),
  /** Lets a loopback SMTP server (a local relay) be used without TLS; nothing else ever is. */
  SMTP_ALLOW_PLAINTEXT_LOCALHOST: bool(false),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  ALERT_EMAIL_FROM: optionalString,
  ALERT_EMAIL_TO: optionalString,
  NOTIFICATION_GIVE_UP_HOURS: int(24, 1),
  /** An Events API v2 integration key is 32 characters; PagerDuty answers 400 to any other. */
  PAGERDUTY_ROUTING_KEY: z.string().length(32).optional(),
  PAGERDUTY_EVENTS_URL: z.url().default("https://events.pagerduty.com/v2/enqueue"),
  PAGERDUTY_ESCALATION_ROUTING_KEY: z.string().length(32).optional(),
  ALERT_ESCALATION_MINUTES: int(15, 1),
  FULFILLMENT_FAILURE_RATE: fraction(0.2),
  REGRESSION_ALPHA: z.coerce.number().gt(0).max(0.2).default(0.01),
  REGRESSION_MIN_SAMPLES: int(50, 1),
  REGRESSION_MIN_RATIO: z.coerce.number().min(1).default(1.5),
  REGRESSION_BASELINE_DAYS: int(7, 1).pipe(z.number().max(28)),
  COST_SPIKE_RATIO: z.coerce.number().gt(1).default(2),

  RETENTION_DAYS: int(30, 1),
  RUN_RETENTION_DAYS: int(90, 1),
  /** A finished run's archive outlives its hot rows: readable (GET /api/runs/:id/archive) this long. */
  ARCHIVE_RETENTION_DAYS: int(365, 1),
  STALL_MINUTES: int(30, 1),
  RUN_ARCHIVE_MAX_EXECUTIONS: int(20_000, 1),
  ZERO_DELIVERY_MINUTES: int(60, 1),
  STABILITY_MIN_SUCCESS_RATE: fraction(0.95),
  STABILITY_MAX_ERROR_RATE: fraction(0.05),
  STABILITY_RESPONSE_TIME_MS: int(10_000, 1),
  STABILITY_MAX_SIGNATURE_FAILURES: int(0),
  STABILITY_UNANSWERED_MINUTES: int(10, 1),
  STABILITY_UNANSWERED_MIN_RECEIVED: int(5, 1),
});

/** Every variable the config reads (besides WEBHOOK_SECRET_<SOURCE>). */
export const ENV_VARIABLES = Object.keys(envSchema.shape);

export type Env = z.infer<typeof envSchema> & {
  /** WEBHOOK_SECRET_<SOURCE> overrides, keyed by the normalised source name. */
  webhookSecretsBySource: Record<string, string>;
  /** Declared source names, normalised like secret keys (WHATSAPP_BOT); empty: any name is accepted. */
  declaredSources: string[];
  /** Each job's cron, from HEARTBEAT_SCHEDULE etc. or the defaults. */
  schedules: JobSchedules;
};

type RawEnv = Record<string, string | undefined>;

/** Parses raw variables; throws ConfigError naming every invalid variable. */
export function parseEnv(raw: RawEnv): Env {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined && value.trim() !== "") cleaned[key] = value.trim();
  }
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join(".") || "(environment)";
      return `${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  const onVercel = result.data.VERCEL === "1";
  if (onVercel) checkDeployment(cleaned.TURSO_DATABASE_URL, result.data.CRON_MAX_DURATION_SECONDS);
  let schedules: JobSchedules;
  try {
    schedules = jobSchedules(cleaned);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${(error as Error).message}`);
  }
  const webhookSecretsBySource = collectSourceSecrets(cleaned);
  const weak = weakSecrets({ ...result.data, webhookSecretsBySource });
  if (weak.length > 0) throw new ConfigError(`Invalid configuration: ${weak.join("; ")}`);
  if (result.data.ALERT_WEBHOOK_URL && !result.data.ALERT_WEBHOOK_SECRET) {
    throw new ConfigError("Invalid configuration: ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URL is set (alerts are signed)");
  }
  if (result.data.SMTP_HOST && (!result.data.ALERT_EMAIL_FROM || !result.data.ALERT_EMAIL_TO)) {
    throw new ConfigError("Invalid configuration: ALERT_EMAIL_FROM and ALERT_EMAIL_TO are required when SMTP_HOST is set");
  }
  if (result.data.TURSO_SYNC_URL && !result.data.TURSO_DATABASE_URL.startsWith("file:")) {
    throw new ConfigError("Invalid configuration: TURSO_DATABASE_URL must be the replica's file (file:…) when TURSO_SYNC_URL is set");
  }
  if (result.data.ARCHIVE_RETENTION_DAYS < result.data.RUN_RETENTION_DAYS) {
    throw new ConfigError(
      `Invalid configuration: ARCHIVE_RETENTION_DAYS (${result.data.ARCHIVE_RETENTION_DAYS}) must be at least RUN_RETENTION_DAYS (${result.data.RUN_RETENTION_DAYS}): a run's archive is its record once its rows are deleted`,
    );
  }
  if (result.data.UPSTASH_REDIS_REST_URL && !result.data.UPSTASH_REDIS_REST_TOKEN) {
    throw new ConfigError("Invalid configuration: UPSTASH_REDIS_REST_TOKEN is required when UPSTASH_REDIS_REST_URL is set");
  }
  if (result.data.SMTP_ALLOW_PLAINTEXT_LOCALHOST && result.data.SMTP_HOST && !LOOPBACK.has(result.data.SMTP_HOST)) {
    throw new ConfigError(
      "Invalid configuration: SMTP_ALLOW_PLAINTEXT_LOCALHOST only applies to a loopback SMTP_HOST (localhost, 127.0.0.1, ::1)",
    );
  }
  if (result.data.WEBHOOK_REPLAY_WINDOW_DAYS < result.data.RETENTION_DAYS) {
    throw new ConfigError("Invalid configuration: WEBHOOK_REPLAY_WINDOW_DAYS must be at least RETENTION_DAYS (digests outlive the events)");
  }
  const declaredSources = [
    ...new Set([...splitSecrets(result.data.WEBHOOK_SOURCES ?? "").map(sourceKey), ...Object.keys(webhookSecretsBySource)]),
  ];
  return { ...result.data, webhookSecretsBySource, declaredSources, schedules };
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1"]);

/** Secrets an attacker could guess, or that decode to nothing, stop start-up: one message per variable. */
function weakSecrets(env: Pick<Env, "WEBHOOK_SECRET" | "ALERT_WEBHOOK_SECRET" | "webhookSecretsBySource">): string[] {
  const vars: [string, string | undefined, boolean][] = [
    ["WEBHOOK_SECRET", env.WEBHOOK_SECRET, false],
    ...Object.entries(env.webhookSecretsBySource).map(([k, v]): [string, string, boolean] => [`WEBHOOK_SECRET_${k}`, v, false]),
    // Receivers verify alerts with a Standard Webhooks library, which only takes whsec_ (base64) secrets.
    ["ALERT_WEBHOOK_SECRET", env.ALERT_WEBHOOK_SECRET, true],
  ];
  const problems: string[] = [];
  for (const [name, raw, requirePrefix] of vars) {
    if (raw === undefined) continue;
    const secrets = splitSecrets(raw);
    if (secrets.length === 0) problems.push(`${name}: no secret in the list`);
    secrets.forEach((secret, i) => {
      const weakness = secretWeakness(secret, { requirePrefix });
      if (weakness) problems.push(`${name}${secrets.length > 1 ? ` (entry ${i + 1})` : ""}: ${weakness}`);
    });
  }
  return problems;
}

/**
 * A Vercel function's file system is read-only outside /tmp, so the embedded default would fail
 * on the first write (EROFS); say which variable to set instead.
 */
function checkDeployment(databaseUrl: string | undefined, cronMaxSeconds: number): void {
  // Vercel stops a cron function at its maxDuration: a lease that outlives it blocks the next run.
  if (cronMaxSeconds > MAX_DURATION_SECONDS.cron) {
    throw new ConfigError(
      `Invalid configuration: CRON_MAX_DURATION_SECONDS is ${cronMaxSeconds} but Vercel stops the cron functions after ${MAX_DURATION_SECONDS.cron} s (maxDuration, vercel.ts): set it to ${MAX_DURATION_SECONDS.cron} or less`,
    );
  }
  if (databaseUrl === undefined) {
    throw new ConfigError(
      "Invalid configuration: TURSO_DATABASE_URL is required on Vercel (libsql://<db>.turso.io with TURSO_AUTH_TOKEN): the embedded file database cannot be written there",
    );
  }
  if (databaseUrl.startsWith("file:") && !databaseUrl.startsWith("file:/tmp/")) {
    throw new ConfigError(
      "Invalid configuration: TURSO_DATABASE_URL: a file database outside /tmp cannot be written on Vercel (read-only file system); use your Turso database URL",
    );
  }
}

function collectSourceSecrets(vars: Record<string, string>): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(vars)) {
    const match = /^WEBHOOK_SECRET_([A-Z0-9_]+)$/.exec(key);
    if (match?.[1]) secrets[match[1]] = value;
  }
  return secrets;
}

/** On Vercel or with NODE_ENV=production: secrets must come from the environment, never from a local file. */
export const isProduction = (env: Pick<Env, "VERCEL" | "NODE_ENV">) => env.VERCEL === "1" || env.NODE_ENV === "production";

let cached: Env | undefined;

/**
 * A developer's `.env.local` and `.env`, for the local entry points (server, CLI, scripts); variables already in
 * the environment win. On Vercel the platform sets them and no entry point calls this.
 */
export function loadDotEnv(): void {
  // `.env.local` (what `vercel env pull` writes) first, so its values win over `.env`. An empty
  // value counts as unset, as in parseEnv: a variable pulled empty does not hide the `.env` one.
  for (const path of [".env.local", ".env"]) {
    if (!existsSync(path)) continue;
    for (const [name, value] of Object.entries(parseDotEnv(readFileSync(path, "utf8")))) {
      if (value?.trim() && !process.env[name]?.trim()) process.env[name] = value;
    }
  }
  cached = undefined;
}

/** process.env, parsed once per process. */
export function loadEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
