/** Every cron job: vercel.ts gives each a function and a cron (src/deploy/vercel-config.ts). */
export const JOB_NAMES = ["heartbeat", "monitor", "checkpoint"] as const;
export type JobName = (typeof JOB_NAMES)[number];
export type JobSummary = Record<string, unknown>;

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}
