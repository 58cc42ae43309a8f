import { JOB_NAMES } from "../jobs/types.js";

/**
 * The functions Vercel deploys (written by scripts/build-vercel.ts as Build Output API). All
 * run the same bundle; each cron job is its own function so it gets the long maxDuration. A
 * test holds this table to the cron paths of vercel.json and vercel.hobby.json.
 */
export const VERCEL_FUNCTIONS: readonly { path: string; maxDuration: number }[] = [
  { path: "api/index", maxDuration: 30 },
  ...JOB_NAMES.map((job) => ({ path: `api/cron/${job}`, maxDuration: 300 })),
];

/** Must name the major of package.json's `engines.node` (a test checks it). */
export const FUNCTION_RUNTIME = "nodejs24.x";
