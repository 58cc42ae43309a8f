import { createInterface } from "node:readline/promises";
import { createVigilClient, VigilApiError, VigilUnreachableError } from "../client/vigil-client.js";
import { isProduction, loadDotEnv, loadEnv, type Env } from "../env.js";
import { readLocalSecrets } from "../server/local-secrets.js";
import { secretsForSource } from "../stability/secrets.js";
import { COMMANDS, usage, UsageError, type CliIo } from "./commands.js";
import { runSendEvent, SEND_EVENT_USAGE } from "./send-event.js";
import { terminalSafeLines } from "./terminal-text.js";
import { errorMessage } from "../errors.js";

// `npm run monitor -- <command>`: the seed's CLI, talking to a deployed (or local) Vigil.
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

const isLoopback = (url: string) => ["localhost", "127.0.0.1", "[::1]"].includes(new URL(url).hostname);

/** The configured secrets, or, against a local server, the ones `npm run dev` generated. */
function withLocalSecrets(env: Env): Env {
  if (isProduction(env) || !isLoopback(env.VIGIL_URL)) return env;
  const local = readLocalSecrets(env.VIGIL_DATA_DIR);
  return { ...env, VIGIL_API_KEY: env.VIGIL_API_KEY ?? local.VIGIL_API_KEY, WEBHOOK_SECRET: env.WEBHOOK_SECRET ?? local.WEBHOOK_SECRET };
}

const fullUsage = () => usage().replace("\n\nEnvironment:", `\n  ${SEND_EVENT_USAGE}\n\nEnvironment:`);

async function main(argv: string[]): Promise<number> {
  // `--source s` is the one flag with a value.
  const sourceAt = argv.indexOf("--source");
  const source = sourceAt >= 0 ? argv[sourceAt + 1] : "bot";
  const rest = sourceAt >= 0 ? argv.filter((_, i) => i !== sourceAt && i !== sourceAt + 1) : argv;
  const flags = new Set(rest.filter((a) => a.startsWith("--")));
  const [name, ...args] = rest.filter((a) => !a.startsWith("--"));
  if (!name || flags.has("--help") || name === "help") {
    io.out(fullUsage());
    return name || flags.has("--help") ? EXIT.ok : EXIT.usage;
  }
  const command = name === "send-event" ? { usage: SEND_EVENT_USAGE, run: undefined } : COMMANDS[name];
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${fullUsage()}`);
    return EXIT.usage;
  }
  loadDotEnv();
  const env = withLocalSecrets(loadEnv());
  const client = createVigilClient({ url: env.VIGIL_URL, apiKey: env.VIGIL_API_KEY, retries: 2 });
  try {
    if (!command.run) {
      if (!source) throw new UsageError("--source needs a value");
      const secret = secretsForSource(env, source).secrets.join(",") || undefined;
      await runSendEvent({ url: env.VIGIL_URL, secret, args, source, now: Date.now() }, io).catch((error: unknown) => {
        throw error instanceof TypeError ? new VigilUnreachableError(env.VIGIL_URL, error) : error;
      });
    } else await command.run(client, { args, json: flags.has("--json"), yes: flags.has("--yes") }, io);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${name}: ${error.message}\nUsage: npm run monitor -- ${command.usage}`);
      return EXIT.usage;
    }
    if (error instanceof VigilUnreachableError) {
      io.err(`${error.message}\nIs it running? Set VIGIL_URL to its address.`);
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
  }
}

process.exitCode = await main(process.argv.slice(2));
