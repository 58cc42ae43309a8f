import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createClient } from "@libsql/client";
import { createApp } from "../app.js";
import { createVigilClient } from "../client/vigil-client.js";
import { depsFromEnv } from "../deps.js";
import type { Env } from "../env.js";
import { createLogger } from "../log.js";
import { UsageError } from "./invocation.js";

const READ_ONLY = JSON.stringify({
  error: {
    code: "read_only",
    message: "--db reads the database: this command writes, so it needs a running Vigil (VIGIL_URL)",
    requestId: "cli",
  },
});

/**
 * The seed's CLI read its database directly; `--db <url>` does the same with Vigil's own routes,
 * run in this process over that database with no server: one connection, `query_only`, and only
 * GET requests, so nothing the CLI does can write to it.
 */
export async function localVigilClient(url: string, env: Env, authToken = env.TURSO_AUTH_TOKEN) {
  // Opening a file that is not there would create an empty one: a typo is an error, not a database.
  const file = url.startsWith("file:") ? url.slice("file:".length).split("?")[0]! : undefined;
  if (file !== undefined && !existsSync(file)) throw new UsageError(`--db ${url}: no such database file`);
  const db = createClient({ url, authToken, concurrency: 1 });
  if (url.startsWith("file:")) await db.execute("PRAGMA query_only = ON");
  const apiKey = randomBytes(24).toString("hex");
  // Log lines go to stderr, so `--db … export > all.json` stays JSON.
  const log = createLogger({ level: "error", sink: (line) => process.stderr.write(`${line}\n`) });
  const deps = depsFromEnv(
    { ...env, TURSO_DATABASE_URL: url, VIGIL_API_KEY: apiKey },
    { db, log, webhookRateLimiter: undefined, monitoring: undefined },
  );
  const app = createApp(deps);
  const client = createVigilClient({
    url: "http://vigil.local",
    apiKey,
    retries: 0,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      if (request.method !== "GET") return new Response(READ_ONLY, { status: 405, headers: { "content-type": "application/json" } });
      return app.fetch(request);
    },
  });
  return { client, close: () => db.close() };
}
