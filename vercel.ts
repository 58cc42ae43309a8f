import { vercelConfig } from "./src/deploy/vercel-config.js";

// Vercel runs this at build time with the project's variables (docs/deploy.md): the
// crons follow HEARTBEAT_SCHEDULE, MONITOR_SCHEDULE, CHECKPOINT_SCHEDULE and CRON_SCHEDULER, as
// the app does at run time. Like a script's argv, the build's environment is read here directly.
export const config = vercelConfig(process.env);
