/**
 * The functions Vercel deploys (written by scripts/build-vercel.ts as Build Output API). All
 * four run the same bundle; the crons are their own functions so they get the long
 * maxDuration. A test holds this table to the cron paths of vercel.json and vercel.hobby.json.
 */
export const VERCEL_FUNCTIONS = [
  { path: "api/index", maxDuration: 30 },
  { path: "api/cron/heartbeat", maxDuration: 300 },
  { path: "api/cron/monitor", maxDuration: 300 },
  { path: "api/cron/checkpoint", maxDuration: 300 },
] as const;

/** Must name the major of package.json's `engines.node` (a test checks it). */
export const FUNCTION_RUNTIME = "nodejs24.x";
