import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The Vercel CLI of a version: the pinned one from node_modules, any other installed once from the
 * npm registry into node_modules/.cache (about 25 s; later runs reuse it), so the build tests follow
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
 * stub project whose install command is the one README asks for in Project Settings: with vercel.ts,
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
