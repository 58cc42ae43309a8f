import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { createVigilClient, VigilApiError, VigilUnreachableError } from "../client/vigil-client.js";
import { isProduction, loadDotEnv, loadEnv, type Env } from "../env.js";
import { errorMessage } from "../errors.js";
import { readLocalSecrets } from "../server/local-secrets.js";
import { secretsForSource } from "../stability/source-secrets.js";
import { sourceSettings } from "../settings.js";
import { COMMANDS } from "./commands.js";
import { type CliIo, type Invocation, UsageError } from "./invocation.js";
import { runSendEvent, SEND_EVENT_USAGE } from "./send-event.js";
import { terminalSafeLines } from "./terminal-text.js";

// `npx vigil <command>` (or `npm run monitor -- <command>`): the seed's CLI, talking to a deployed
// (or local) Vigil, or reading a Vigil database directly with --db.
const EXIT = { ok: 0, usage: 1, unreachable: 2, unauthorized: 3, notFound: 4, failed: 5 } as const;

const io: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  // Error messages can carry what the server answered: shown, not obeyed (terminal-text.ts).
  err: (text) => void process.stderr.write(`${terminalSafeLines(text)}\n`),
  write: (chunk) => new Promise((resolve) => (process.stdout.write(chunk) ? resolve() : process.stdout.once("drain", resolve))),
  async confirm(question) {
    if (!process.stdin.isTTY) return false;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(question);
    rl.close();
    return /^y(es)?$/i.test(answer.trim());
  },
};

/** Every flag there is; anything else is refused (a misspelt --jsno must not print a table). */
const OPTIONS = {
  json: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  help: { type: "boolean", short: "h" },
  source: { type: "string" },
  limit: { type: "string" },
  all: { type: "boolean" },
  db: { type: "string" },
  "dry-run": { type: "boolean" },
  until: { type: "string" },
  for: { type: "string" },
  comment: { type: "string" },
} as const;

const isLoopback = (url: string) => ["localhost", "127.0.0.1", "[::1]"].includes(new URL(url).hostname);

/** The configured secrets, or, against a local server, the ones `npm run dev` generated. */
function withLocalSecrets(env: Env): Env {
  if (isProduction(env) || !isLoopback(env.VIGIL_URL)) return env;
  const local = readLocalSecrets(env.VIGIL_DATA_DIR);
  return { ...env, VIGIL_API_KEY: env.VIGIL_API_KEY ?? local.VIGIL_API_KEY, WEBHOOK_SECRET: env.WEBHOOK_SECRET ?? local.WEBHOOK_SECRET };
}

const IMPORT_SEED_USAGE =
  "import-seed <monitoring.db> [--dry-run]  move a seed tracker's orchestrations, agent executions and monitoring_results in (again: adds only what is new)";

const usage = () =>
  [
    "Usage: npx vigil <command> [args] [--json] [--db <url>]",
    "",
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    `  ${SEND_EVENT_USAGE}`,
    `  ${IMPORT_SEED_USAGE}`,
    "",
    "  --db <url>   read a Vigil database (file:… or libsql://…) directly, without a server; read-only",
    "  --yes, -y    answer yes (cleanup); VIGIL_ASSUME_YES=1 does the same",
    "",
    "Environment: VIGIL_URL (default http://localhost:3000), VIGIL_API_KEY, TURSO_AUTH_TOKEN (with --db libsql://…)",
  ].join("\n");

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${errorMessage(error)}\n\n${usage()}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [name, ...args] = positionals;
  if (!name || values.help || name === "help") {
    io.out(usage());
    return name || values.help ? EXIT.ok : EXIT.usage;
  }
  const special = { "send-event": SEND_EVENT_USAGE, "import-seed": IMPORT_SEED_USAGE } as Record<string, string>;
  const command = COMMANDS[name];
  if (!command && !special[name]) {
    io.err(`Unknown command "${name}".\n\n${usage()}`);
    return EXIT.usage;
  }
  loadDotEnv();
  const env = withLocalSecrets(loadEnv());
  const inv: Invocation = {
    args,
    json: values.json ?? false,
    yes: (values.yes ?? false) || env.VIGIL_ASSUME_YES,
    limit: values.limit,
    all: values.all ?? false,
    until: values.until,
    for: values.for,
    comment: values.comment,
    dryRun: values["dry-run"] ?? false,
  };
  const closers: (() => void)[] = [];
  try {
    // The app and the migrations are loaded only by the commands that need them: every other
    // command starts as fast as before.
    if (name === "import-seed") {
      const { importTarget, runImportSeed } = await import("./import-seed.js");
      const target = await importTarget(values.db ?? env.TURSO_DATABASE_URL, env);
      closers.push(() => target.close());
      await runImportSeed(target, args[0], inv.dryRun ?? false, inv.json, io);
    } else if (name === "send-event") {
      const source = values.source ?? "bot";
      const secret = secretsForSource(sourceSettings(env), source).secrets.join(",") || undefined;
      await runSendEvent({ url: env.VIGIL_URL, secret, args, source, now: Date.now() }, io).catch((error: unknown) => {
        throw error instanceof TypeError ? new VigilUnreachableError(env.VIGIL_URL, error) : error;
      });
    } else {
      const local = values.db ? await (await import("./local-vigil.js")).localVigilClient(values.db, env) : undefined;
      if (local) closers.push(local.close);
      const client = local?.client ?? createVigilClient({ url: env.VIGIL_URL, apiKey: env.VIGIL_API_KEY, retries: 2 });
      await command!.run(client, inv, io);
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${name}: ${error.message}\nUsage: npx vigil ${command?.usage ?? special[name]}`);
      return EXIT.usage;
    }
    if (error instanceof VigilUnreachableError) {
      io.err(`${error.message}\nIs it running? Set VIGIL_URL to its address, or read a database with --db <url>.`);
      return EXIT.unreachable;
    }
    if (error instanceof VigilApiError && error.status === 401) {
      io.err(`Vigil refused the API key: ${error.message}\nSet VIGIL_API_KEY to the deployment's key.`);
      return EXIT.unauthorized;
    }
    if (error instanceof VigilApiError && error.status === 404) {
      io.err(error.message);
      return EXIT.notFound;
    }
    io.err(errorMessage(error));
    return EXIT.failed;
  } finally {
    for (const close of closers) close();
  }
}

process.exitCode = await main(process.argv.slice(2));
