import { createApp } from "./app.js";
import { depsFromEnv } from "./deps.js";
import { loadEnv } from "./env.js";
import { logConfiguredFeatures } from "./features.js";

// Built once per function instance: invalid configuration fails here, at start, naming the variable.
const deps = depsFromEnv(loadEnv());
logConfiguredFeatures(deps.env, deps.log);
const app = createApp(deps);

export default { fetch: (request: Request) => app.fetch(request) };
