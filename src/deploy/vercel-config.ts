import { JOB_NAMES } from "../job-records/names.js";
import { jobSchedules } from "../scheduling/schedules.js";

// What vercel.ts hands Vercel. Code rather than vercel.json so that one repository deploys from
// Git on every plan: Hobby refuses a deployment whose crons run more than once a day, so the crons
// follow the same schedule variables the app reads (daily schedules, or none with CRON_SCHEDULER=external).

/** Seconds a function may run: the app answers requests, a cron job works through a backlog. */
export const MAX_DURATION_SECONDS = { app: 30, cron: 300 } as const;

/** Must name the major of package.json's `engines.node` (a test checks it): Vercel picks the runtime from there. */
export const FUNCTION_RUNTIME = "nodejs24.x";

// What tracing the bundle cannot find: its source maps, and the native libSQL binding that libsql
// loads by a computed name (Vercel's functions run on x64 Linux with glibc).
const BUNDLE_FILES = ["dist/vercel/**/*.map", "node_modules/@libsql/linux-x64-gnu/**"];

/**
 * ALERT_RULES_FILE is read at run time from the function's working directory (the project root),
 * so the file has to travel with the functions: a build that names it ships it. A path that is not
 * a plain file below the project root (absolute, `..`, glob syntax) stops the build naming it.
 */
function rulesFile(raw: Partial<Record<string, string | undefined>>): string[] {
  const file = raw.ALERT_RULES_FILE?.trim().replace(/^\.\//, "");
  if (!file) return [];
  if (file.startsWith("/") || file.split("/").includes("..") || /[{}*?,[\]]/.test(file)) {
    throw new Error(`ALERT_RULES_FILE must be a file path below the project root, bundled with the functions (got "${file}")`);
  }
  return [file];
}

export function vercelConfig(raw: Partial<Record<string, string | undefined>>) {
  const scheduler = raw.CRON_SCHEDULER?.trim() || "vercel";
  if (scheduler !== "vercel" && scheduler !== "external") {
    throw new Error(`CRON_SCHEDULER must be vercel or external (got "${scheduler}")`);
  }
  const schedules = jobSchedules(raw);
  const includeFiles = `{${[...BUNDLE_FILES, ...rulesFile(raw)].join(",")}}`;
  return {
    $schema: "https://openapi.vercel.sh/vercel.json",
    framework: null,
    // Production dependencies only (esbuild, the bundler, is one): no Vercel CLI, browsers or test
    // tools in the build. `npm install` keeps the node_modules Vercel restores from its cache; `npm ci` deletes it.
    installCommand: "npm install --omit=dev --no-audit --no-fund",
    buildCommand: "npm run build",
    // A build command makes Vercel look for static files: the build writes robots.txt there.
    outputDirectory: "dist/public",
    functions: {
      "api/index.ts": { maxDuration: MAX_DURATION_SECONDS.app, includeFiles },
      "api/cron/*.ts": { maxDuration: MAX_DURATION_SECONDS.cron, includeFiles },
    },
    crons: scheduler === "vercel" ? JOB_NAMES.map((job) => ({ path: `/api/cron/${job}`, schedule: schedules[job] })) : [],
    rewrites: [
      { source: "/", destination: "/api/index" },
      { source: "/status", destination: "/api/index" },
      { source: "/api/:path((?!cron/).*)", destination: "/api/index" },
    ],
  };
}
