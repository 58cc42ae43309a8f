import { createInterface } from "node:readline/promises";
import { createVigilClient, VigilApiError, VigilUnreachableError } from "../client/vigil-client.js";
import { loadEnv } from "../env.js";
import { COMMANDS, usage, UsageError, type CliIo } from "./commands.js";

// `npm run monitor -- <command>`: the seed's CLI, talking to a deployed (or local) Vigil.
const EXIT = { ok: 0, usage: 1, unreachable: 2, unauthorized: 3, notFound: 4, failed: 5 } as const;

const io: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
  write: (chunk) => new Promise((resolve) => (process.stdout.write(chunk) ? resolve() : process.stdout.once("drain", resolve))),
  async confirm(question) {
    if (!process.stdin.isTTY) return false;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(question);
    rl.close();
    return /^y(es)?$/i.test(answer.trim());
  },
};

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  const [name, ...args] = argv.filter((a) => !a.startsWith("--"));
  if (!name || flags.has("--help") || name === "help") {
    io.out(usage());
    return name || flags.has("--help") ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${usage()}`);
    return EXIT.usage;
  }
  const env = loadEnv();
  const client = createVigilClient({ url: env.VIGIL_URL, apiKey: env.VIGIL_API_KEY, retries: 2 });
  try {
    await command.run(client, { args, json: flags.has("--json"), yes: flags.has("--yes") }, io);
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
    io.err(error instanceof Error ? error.message : String(error));
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
