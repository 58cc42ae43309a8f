import { randomBytes } from "node:crypto";
import { isProduction, loadDotEnv, loadEnv } from "../env.js";
import { ConfigError } from "../errors.js";
import { createLogger } from "../log.js";
import { firstRunBanner } from "./first-run.js";
import { ensureLocalSecrets, localSecretsPath } from "./local-secrets.js";
import { startLocalServer } from "./start-server.js";

// `npm run dev`: the local server. The package script loads .env (--env-file-if-exists).
const bootLog = createLogger({ base: { job: "server" } });

async function main() {
  loadDotEnv();
  const loaded = loadEnv();
  // A first run with nothing configured gets working secrets, kept in VIGIL_DATA_DIR; production
  // never does (a deployment without them must refuse, not invent keys nobody knows).
  const local = isProduction(loaded) ? { secrets: {}, generated: [] } : ensureLocalSecrets(loaded.VIGIL_DATA_DIR, loaded);
  const env = { ...loaded, ...local.secrets };
  const cronSecret = env.CRON_SECRET ?? randomBytes(24).toString("hex");
  const server = await startLocalServer({ ...env, CRON_SECRET: cronSecret });
  const log = server.deps.log.child({ job: "server" });
  if (!env.CRON_SECRET) log.info("CRON_SECRET not set: the local scheduler uses an ephemeral secret");
  if (local.generated.length > 0)
    log.info("local secrets generated", { names: local.generated, file: localSecretsPath(loaded.VIGIL_DATA_DIR) });
  if (Object.keys(local.secrets).length > 0) {
    // For the person at the terminal, on stderr: never a log line (logs carry no secrets).
    const banner = firstRunBanner({
      baseUrl: server.baseUrl,
      apiKey: local.secrets.VIGIL_API_KEY,
      webhookSecret: local.secrets.WEBHOOK_SECRET,
      secretsFile: localSecretsPath(loaded.VIGIL_DATA_DIR),
      generated: local.generated.length > 0,
    });
    process.stderr.write(`${banner}\n`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    await server.stop();
    log.info("stopped", { signal });
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  // A configuration problem (a port in use, an invalid variable) is one line, not a stack trace.
  if (error instanceof ConfigError) bootLog.error("startup failed", { reason: error.message });
  else bootLog.error("startup failed", { err: error });
  process.exit(1);
});
