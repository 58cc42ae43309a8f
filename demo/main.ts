import { loadDotEnv, loadEnv } from "../src/env.js";
import { startDemo } from "./run-demo.js";

// `npm run demo`: the whole product alive in two minutes, no account anywhere.
loadDotEnv();
const env = loadEnv();
const demo = await startDemo({ dataDir: env.VIGIL_DATA_DIR, port: env.PORT, logLevel: env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL });
process.stderr.write(
  `${[
    "",
    "Vigil demo is running: a simulated bot, Langfuse, judge and agent pipeline, on a fresh demo database.",
    `  Status page:  ${demo.baseUrl}/status   (user: anything, password: the API key)`,
    `  API key:      ${demo.apiKey}`,
    `  CLI:          VIGIL_URL=${demo.baseUrl} VIGIL_API_KEY=${demo.apiKey} npm run monitor -- list`,
    "  Every section of the page fills within two minutes. Ctrl-C stops the demo.",
    "",
  ].join("\n")}\n`,
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await demo.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
