import type { RateLimiter } from "../integrations/rate-limiter.js";
import type { JobContext } from "../jobs/context.js";
import type { JobSchedules } from "../scheduling/schedules.js";
import type { WebhookSettings } from "../stability/ingest.js";
import type { StatusContext } from "../status/data.js";

/** What the HTTP layer needs from the configuration besides the domains' settings. */
export interface HttpSettings {
  /** VIGIL_API_KEY: undefined refuses every query route. */
  apiKey: string | undefined;
  /** CRON_SECRET: undefined refuses every cron route. */
  cronSecret: string | undefined;
  bodyLimitBytes: number;
  authFailuresPerMinute: number;
  statusPage: "private" | "public";
  heartbeatStaleSeconds: number;
}

/** Everything createApp's routes are given: the jobs' and the status page's contexts and the HTTP settings, built once by src/deps.ts. */
export type AppContext = JobContext &
  StatusContext & {
    /** Shared webhook rate limiter; undefined when Upstash is not configured (rate limiting off). */
    webhookRateLimiter: RateLimiter | undefined;
    settings: {
      http: HttpSettings;
      webhooks: WebhookSettings & { maxBytes: number; rateLimitPerMinute: number; rollupCatchUpEvery: number };
      jobs: { schedules: JobSchedules };
    };
  };
