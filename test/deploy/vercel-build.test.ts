import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureNode, runtimeMajor } from "../../scripts/ensure-node.js";
import { copyCheckout, copyFunctionAlone, funcDirs, type LocalBuild, vercelBuild } from "../../scripts/vercel-local-build.js";
import { createDb, prepareLocalDb } from "../../src/db/client.js";
import { latestSchemaVersion, migrate, schemaVersion } from "../../src/db/migrate.js";
import { MAX_DURATION_SECONDS, vercelConfig } from "../../src/deploy/vercel-config.js";

// What Vercel deploys is what this tests: the checkout copied as a fresh clone would be, built by
// Vercel's own CLI (`vercel build`: install, vercel.ts, npm run build, then the Node builder tracing
// api/*.ts), with the pinned CLI and the newest that installs here; then every function copied
// alone, with the files its .vc-config.json maps in (what a deploy uploads), and loaded by a fresh
// Node process of the runtime it names.

const PINNED = JSON.parse(readFileSync("package.json", "utf8")).devDependencies.vercel as string;
const NEWEST = "60.1.3";
const DRIVER = resolve("test/deploy/drive-function.mjs");
const work = mkdtempSync(join(tmpdir(), "vigil-vercel-"));
const secrets = {
  CRON_SECRET: randomBytes(24).toString("hex"),
  VIGIL_API_KEY: randomBytes(24).toString("hex"),
  WEBHOOK_SECRET: `whsec_${randomBytes(32).toString("base64")}`,
};
const HOBBY_DAILY = { HEARTBEAT_SCHEDULE: "0 0 * * *", MONITOR_SCHEDULE: "5 0 * * *", CHECKPOINT_SCHEDULE: "10 0 * * *" };

interface Route {
  src?: string;
  dest?: string;
}
interface BuildOutputConfig {
  routes: Route[];
  crons?: { path: string; schedule: string }[];
}
interface VcConfig {
  runtime: string;
  handler: string;
  maxDuration: number;
  filePathMap?: Record<string, string>;
}
type Build = LocalBuild;

const builds = new Map<string, Build>();
const configOf = (b: Build) => JSON.parse(readFileSync(join(b.output, "config.json"), "utf8")) as BuildOutputConfig;
const vcOf = (dir: string) => JSON.parse(readFileSync(join(dir, ".vc-config.json"), "utf8")) as VcConfig;
const names = (b: Build) => funcDirs(b.output).map((d) => relative(join(b.output, "functions"), d).replace(/\.func$/, ""));

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
  stderr: string;
  results: { name: string; status: number; type: string | null; body: string; firstAnswerMs?: number }[];
}

/** One function alone, as a deployment holds it, driven in a fresh Node process of its runtime. */
function driveFunction(build: Build, funcDir: string, env: Record<string, string>, mode = "requests"): DriveResult {
  const alone = join(work, "alone", relative(work, funcDir).replaceAll("/", "_"));
  copyFunctionAlone(build, funcDir, alone);
  const vc = vcOf(alone);
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
  return { ...(JSON.parse(line) as Omit<DriveResult, "stderr">), stderr: run.stderr };
}

const byName = (r: DriveResult, name: string) => {
  const found = r.results.find((x) => x.name === name);
  if (!found) throw new Error(`no result named ${name} in ${JSON.stringify(r)}`);
  return found;
};

let productionDb: string;

beforeAll(async () => {
  productionDb = join(work, "production.db");
  for (const cli of [PINNED, NEWEST]) {
    const project = join(work, `project-${cli}`);
    copyCheckout(project);
    // The newest CLI builds as production (VERCEL_ENV, as on Vercel), so it migrates this database;
    // the pinned one builds a preview pointed at the same database, which it must leave alone.
    const target = cli === NEWEST ? "production" : "preview";
    builds.set(
      cli,
      vercelBuild(cli, project, join(work, `out-${cli}`), { VERCEL_ENV: target, TURSO_DATABASE_URL: `file:${productionDb}` }),
    );
  }
  // Hobby, from the same repository: only the variables differ (vercel.ts reads them at build time).
  const project = builds.get(PINNED)!.project;
  builds.set("hobby-daily", vercelBuild(PINNED, project, join(work, "out-hobby-daily"), HOBBY_DAILY));
  builds.set("hobby-external", vercelBuild(PINNED, project, join(work, "out-hobby-external"), { CRON_SCHEDULER: "external" }));
}, 1_200_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each([PINNED, NEWEST])("vercel build with CLI %s", (cli) => {
  it("builds api/index and api/cron/* from the api/*.ts entries, crons as vercel.ts schedules them", () => {
    const build = builds.get(cli)!;
    expect(names(build)).toEqual(["api/cron/checkpoint", "api/cron/heartbeat", "api/cron/monitor", "api/index"]);
    expect(configOf(build).crons).toEqual(vercelConfig({}).crons);
    expect(build.log).toMatch(/bundled dist\/vercel .* in \d+ ms/);
  });

  it("routes every path to a function that exists, crons to their own", () => {
    const build = builds.get(cli)!;
    const config = configOf(build);
    for (const path of ["/", "/status", "/api/health", "/api/runs/abc/executions", "/api/webhooks/bot"]) {
      expect(routeOf(config, names(build), path), path).toBe("api/index");
    }
    for (const job of ["heartbeat", "monitor", "checkpoint"])
      expect(routeOf(config, names(build), `/api/cron/${job}`)).toBe(`api/cron/${job}`);
  });

  it("gives each function Node 24, its maxDuration, the bundle, its source maps and the native libSQL binding", () => {
    for (const dir of funcDirs(builds.get(cli)!.output)) {
      const vc = vcOf(dir);
      expect(vc.runtime, dir).toBe("nodejs24.x");
      expect(vc.maxDuration, dir).toBe(dir.includes("/cron/") ? MAX_DURATION_SECONDS.cron : MAX_DURATION_SECONDS.app);
      expect(existsSync(join(dir, "dist/vercel/entry.mjs")), dir).toBe(true);
      const mapped = Object.keys(vc.filePathMap ?? {});
      expect(mapped, dir).toContain("node_modules/@libsql/linux-x64-gnu/index.node");
      expect(mapped, dir).toContain("dist/vercel/entry.mjs.map");
    }
  });

  it("answers real requests from every function, each loaded alone on its runtime", async () => {
    const build = builds.get(cli)!;
    const firstAnswers: Record<string, number> = {};
    for (const dir of funcDirs(build.output)) {
      const url = await migratedDb(`${cli}-${relative(build.output, dir).replaceAll("/", "_")}`);
      const run = driveFunction(build, dir, { ...secrets, TURSO_DATABASE_URL: url });
      expect(run.node, dir).toMatch(/^v24\./);
      const first = byName(run, "health-first");
      expect([200, 503], dir).toContain(first.status);
      expect(JSON.parse(first.body).db, dir).toBe("ok");
      firstAnswers[relative(build.output, dir)] = first.firstAnswerMs!;
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
    // Cold start: import of the function plus its first answer (health: two database round trips).
    console.log(`CLI ${cli}: first answer after start, ms: ${JSON.stringify(firstAnswers)}`);
    for (const [fn, ms] of Object.entries(firstAnswers)) expect(ms, fn).toBeLessThan(3000);
  }, 240_000);

  it("answers 503 naming TURSO_DATABASE_URL when a deployment lacks it, and its log names the error's class and source file", () => {
    const build = builds.get(cli)!;
    const index = funcDirs(build.output).find((d) => d.endsWith("api/index.func"))!;
    const run = driveFunction(build, index, secrets, "misconfigured");
    const health = byName(run, "health");
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body).error.message).toContain("TURSO_DATABASE_URL");
    const line = run.stderr.split("\n").find((l) => l.includes("invalid configuration"));
    const err = JSON.parse(line!).err as { name: string; stack: string };
    expect(err.name).toBe("ConfigError");
    expect(err.stack).toMatch(/at checkDeployment \(src\/env\.ts:\d+:\d+\)/);
  }, 60_000);
});

describe("migrations during the build", () => {
  it("the production build migrated the production database; the preview build before it had left it alone", async () => {
    expect(builds.get(PINNED)!.log).toContain("no migration in this preview build");
    expect(builds.get(NEWEST)!.log).toContain("migrations applied");
    const db = createDb({ url: `file:${productionDb}` });
    expect(await schemaVersion(db)).toBe(latestSchemaVersion());
    db.close();
  });
});

describe("Hobby from the same repository (Git deploys read vercel.ts, not a second config)", () => {
  it("with daily schedules: every cron at most once a day, on the same paths as Pro", () => {
    const crons = configOf(builds.get("hobby-daily")!).crons!;
    expect(crons.map((c) => c.path)).toEqual(vercelConfig({}).crons.map((c) => c.path));
    for (const cron of crons) expect(cron.schedule, cron.path).toMatch(/^\d+ \d+ \* \* \*$/);
  });

  it("with an external scheduler: no Vercel cron at all, the same functions", () => {
    expect(configOf(builds.get("hobby-external")!).crons ?? []).toEqual([]);
    expect(names(builds.get("hobby-external")!)).toEqual(names(builds.get(PINNED)!));
  });
});
