import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureNode, runtimeMajor } from "../../scripts/ensure-node.js";
import { createDb, prepareLocalDb } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";

// What Vercel deploys is what this tests: the checkout copied as a fresh clone would be, built by
// Vercel's own CLI (`vercel build`, offline, project settings stubbed), then every function
// copied alone and loaded by a fresh Node process of the runtime its .vc-config.json names.

const VERCEL_BIN = resolve("node_modules/.bin/vercel");
const DRIVER = resolve("test/deploy/drive-function.mjs");
const work = mkdtempSync(join(tmpdir(), "vigil-vercel-"));
const project = join(work, "project");
const secrets = {
  CRON_SECRET: randomBytes(24).toString("hex"),
  VIGIL_API_KEY: randomBytes(24).toString("hex"),
  WEBHOOK_SECRET: `whsec_${randomBytes(32).toString("base64")}`,
};

interface Route {
  src?: string;
  dest?: string;
  handle?: string;
}
interface BuildOutputConfig {
  version: number;
  routes: Route[];
  crons: { path: string; schedule: string }[];
}

function copyCheckout(target: string) {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && existsSync(f));
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(file, join(target, file));
  }
  mkdirSync(join(target, ".vercel"), { recursive: true });
  writeFileSync(
    join(target, ".vercel/project.json"),
    JSON.stringify({ projectId: "prj_test", orgId: "team_test", settings: { framework: null } }),
  );
}

function vercelBuild(args: string[]) {
  const run = spawnSync(VERCEL_BIN, ["build", "--yes", ...args], {
    cwd: project,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, VERCEL_TELEMETRY_DISABLED: "1", CI: "1" },
    timeout: 400_000,
  });
  if (run.status !== 0) throw new Error(`vercel build ${args.join(" ")} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout + run.stderr;
}

function funcDirs(output: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name.endsWith(".func")) found.push(path);
      else walk(path);
    }
  };
  walk(join(output, "functions"));
  return found.sort();
}

/** Where Vercel's router sends a path: the first route whose src matches (filesystem first). */
function routeOf(config: BuildOutputConfig, functions: string[], path: string): string | undefined {
  if (functions.includes(path.slice(1))) return path.slice(1);
  for (const route of config.routes) {
    if (route.src && route.dest && new RegExp(route.src).test(path)) return route.dest.split("?")[0]!.slice(1);
  }
  return undefined;
}

async function migratedDb(name: string): Promise<string> {
  const url = `file:${join(work, `${name}.db`)}`;
  const db = createDb({ url });
  await prepareLocalDb(db, url);
  await migrate(db);
  db.close();
  return url;
}

interface DriveResult {
  node: string;
  results: { name: string; status: number; type: string | null; body: string; firstAnswerMs?: number }[];
}

/** Copies one function alone (symlinks dereferenced) and drives it in a fresh Node process. */
function driveFunction(funcDir: string, env: Record<string, string>, mode = "requests"): DriveResult {
  const alone = join(work, "alone", relative(work, funcDir).replaceAll("/", "_"));
  rmSync(alone, { recursive: true, force: true });
  cpSync(funcDir, alone, { recursive: true, dereference: true });
  const vc = JSON.parse(readFileSync(join(alone, ".vc-config.json"), "utf8")) as { runtime: string; handler: string };
  const node = ensureNode(runtimeMajor(vc.runtime));
  const run = spawnSync(node, [DRIVER, pathToFileURL(join(alone, vc.handler)).href, mode], {
    cwd: alone,
    encoding: "utf8",
    env: { PATH: process.env.PATH, LOG_LEVEL: "warn", VERCEL: "1", ...env },
    timeout: 60_000,
  });
  const line = run.stdout.trim().split("\n").at(-1) ?? "";
  if (run.status !== 0 || !line.startsWith("{"))
    throw new Error(`function ${funcDir} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line) as DriveResult;
}

const byName = (r: DriveResult, name: string) => {
  const found = r.results.find((x) => x.name === name);
  if (!found) throw new Error(`no result named ${name} in ${JSON.stringify(r)}`);
  return found;
};

let proOutput: string;
let hobbyOutput: string;

beforeAll(() => {
  copyCheckout(project);
  proOutput = join(project, ".vercel/output");
  vercelBuild([]);
  // Copy the Pro output aside: the Hobby build writes the same directory.
  cpSync(proOutput, join(work, "pro-output"), { recursive: true });
  proOutput = join(work, "pro-output");
  hobbyOutput = join(work, "hobby-output");
  vercelBuild(["--local-config", "vercel.hobby.json", "--output", hobbyOutput]);
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("vercel build (Pro: vercel.json)", () => {
  it("writes the three crons exactly as vercel.json schedules them", () => {
    const config = JSON.parse(readFileSync(join(proOutput, "config.json"), "utf8")) as BuildOutputConfig;
    const expected = JSON.parse(readFileSync("vercel.json", "utf8")).crons;
    expect(config.crons).toEqual(expected);
  });

  it("routes every path to a function that exists, crons to their own", () => {
    const config = JSON.parse(readFileSync(join(proOutput, "config.json"), "utf8")) as BuildOutputConfig;
    const functions = funcDirs(proOutput).map((d) => relative(join(proOutput, "functions"), d).replace(/\.func$/, ""));
    expect(functions).toEqual(["api/cron/checkpoint", "api/cron/heartbeat", "api/cron/monitor", "api/index"]);
    for (const path of ["/", "/status", "/api/health", "/api/runs/abc/executions", "/api/webhooks/bot"]) {
      expect(routeOf(config, functions, path), path).toBe("api/index");
    }
    for (const job of ["heartbeat", "monitor", "checkpoint"])
      expect(routeOf(config, functions, `/api/cron/${job}`)).toBe(`api/cron/${job}`);
  });

  it("gives each function its runtime, maxDuration and the native libSQL binding", () => {
    for (const dir of funcDirs(proOutput)) {
      const vc = JSON.parse(readFileSync(join(dir, ".vc-config.json"), "utf8"));
      expect(vc.runtime, dir).toBe("nodejs24.x");
      expect(vc.maxDuration, dir).toBe(dir.includes("/cron/") ? 300 : 30);
      const native = readdirSync(join(dir, "node_modules/@libsql/linux-x64-gnu"));
      expect(
        native.some((f) => f.endsWith(".node")),
        dir,
      ).toBe(true);
    }
  });

  it("answers real requests from every function, each loaded alone on its runtime", async () => {
    const dirs = funcDirs(proOutput);
    for (const dir of dirs) {
      const url = await migratedDb(relative(proOutput, dir).replaceAll("/", "_"));
      const run = driveFunction(dir, { ...secrets, TURSO_DATABASE_URL: url });
      expect(run.node, dir).toMatch(/^v24\./);
      const first = byName(run, "health-first");
      expect([200, 503], dir).toContain(first.status);
      expect(JSON.parse(first.body).db, dir).toBe("ok");
      expect(byName(run, "cron-no-secret").status, dir).toBe(401);
      const cron = byName(run, "cron-with-secret");
      expect(cron.status, cron.body).toBe(200);
      expect(JSON.parse(cron.body).job).toBe("heartbeat");
      expect(byName(run, "health").status, dir).toBe(200);
      const webhook = byName(run, "webhook");
      expect(webhook.status, webhook.body).toBe(200);
      expect(byName(run, "query-no-key").status, dir).toBe(401);
      const query = byName(run, "query");
      expect(query.status, query.body).toBe(200);
      const status = byName(run, "status");
      expect(status.status, status.body).toBe(200);
      expect(status.type).toMatch(/^text\/html/);
      expect(status.body).toContain("<html");
    }
  }, 240_000);

  it("answers 503 naming TURSO_DATABASE_URL when a deployment lacks it, instead of crashing", () => {
    const index = funcDirs(proOutput).find((d) => d.endsWith("api/index.func"))!;
    const run = driveFunction(index, secrets, "misconfigured");
    const health = byName(run, "health");
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body).error.message).toContain("TURSO_DATABASE_URL");
  }, 60_000);
});

describe("vercel build --local-config vercel.hobby.json (Hobby)", () => {
  it("schedules every cron at most once a day, on the same paths as Pro", () => {
    const config = JSON.parse(readFileSync(join(hobbyOutput, "config.json"), "utf8")) as BuildOutputConfig;
    const pro = JSON.parse(readFileSync("vercel.json", "utf8")).crons as { path: string }[];
    expect(config.crons.map((c) => c.path)).toEqual(pro.map((c) => c.path));
    for (const cron of config.crons) expect(cron.schedule, cron.path).toMatch(/^\d+ \d+ \* \* \*$/);
  });

  it("builds the same functions", () => {
    const names = (out: string) => funcDirs(out).map((d) => relative(out, d));
    expect(names(hobbyOutput)).toEqual(names(proOutput));
  });
});
