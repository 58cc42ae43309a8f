// Vercel's own build of a copy of this checkout, on this machine: what test/deploy and the
// cold-start benchmark deploy-test, so both measure the functions Vercel would deploy.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

/**
 * The Vercel CLI of a version: the pinned one from node_modules, any other installed once from the
 * npm registry into node_modules/.cache (about 25 s; later runs reuse it), so test/deploy follows
 * the newest CLI without a second dev dependency in the lockfile.
 */
export function vercelCli(version: string): string {
  if (version === JSON.parse(readFileSync("package.json", "utf8")).devDependencies.vercel) return resolve("node_modules/.bin/vercel");
  const prefix = resolve(`node_modules/.cache/vercel-${version}`);
  const bin = join(prefix, "node_modules/.bin/vercel");
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    execFileSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", `vercel@${version}`], {
      stdio: "pipe",
      timeout: 300_000,
    });
  }
  return bin;
}

/**
 * The checkout as a fresh clone has it (tracked and untracked-but-not-ignored files), linked to a
 * stub project whose install command is the one docs/deploy.md step 2 sets in Project Settings: with vercel.ts,
 * the CLI installs with the project's setting before it compiles the config.
 */
export function copyCheckout(target: string): void {
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
    JSON.stringify({
      projectId: "prj_test",
      orgId: "team_test",
      settings: { framework: null, installCommand: "npm install --omit=dev --no-audit --no-fund" },
    }),
  );
}

export function funcDirs(output: string): string[] {
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

export interface LocalBuild {
  cli: string;
  project: string;
  output: string;
  log: string;
}

/** `vercel build` (offline, project settings stubbed) of `project` into `output`; throws with the log on failure. */
export function vercelBuild(cli: string, project: string, output: string, env: Record<string, string> = {}): LocalBuild {
  const run = spawnSync(vercelCli(cli), ["build", "--yes", "--output", output], {
    cwd: project,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, VERCEL_TELEMETRY_DISABLED: "1", CI: "1", ...env },
    timeout: 400_000,
  });
  const log = run.stdout + run.stderr;
  if (run.status !== 0) throw new Error(`vercel ${cli} build failed (${run.status}):\n${log}`);
  return { cli, project, output, log };
}

/**
 * One function as a deployment holds it: its directory (symlinks dereferenced) plus the files its
 * .vc-config.json filePathMap names from the project (the source maps, the native libSQL binding).
 */
export function copyFunctionAlone(build: LocalBuild, funcDir: string, target: string): void {
  rmSync(target, { recursive: true, force: true });
  cpSync(funcDir, target, { recursive: true, dereference: true });
  const vc = JSON.parse(readFileSync(join(target, ".vc-config.json"), "utf8")) as { filePathMap?: Record<string, string> };
  for (const [path, source] of Object.entries(vc.filePathMap ?? {})) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    cpSync(isAbsolute(source) ? source : join(build.project, source), join(target, path), { dereference: true });
  }
}
