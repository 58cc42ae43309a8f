import { createApp } from "./app.js";
import { depsFromEnv } from "./deps.js";
import { loadEnv } from "./env.js";
import { ConfigError } from "./errors.js";
import { logConfiguredFeatures } from "./features.js";
import { createMisconfiguredApp } from "./http/misconfigured-app.js";
import { createLogger } from "./log.js";

// The adapter every Vercel function re-exports (api/*.ts, bundled by scripts/build-vercel.mjs): Hono's own Vercel
// adapter is this, `(req) => app.fetch(req)`. Built once per function instance.
function buildApp() {
  try {
    const env = loadEnv();
    const deps = depsFromEnv(env);
    logConfiguredFeatures(env, deps.log);
    return createApp(deps);
  } catch (error) {
    if (error instanceof ConfigError) return createMisconfiguredApp(error, createLogger({ base: { route: "config" } }));
    throw error;
  }
}

const app = buildApp();

export default { fetch: (request: Request) => app.fetch(request) };
