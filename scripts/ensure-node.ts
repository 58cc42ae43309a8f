import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * A Node binary of the given major: this process's own when it is that major, else the `node`
 * package from npm (real Node binaries) installed once into node_modules/.cache. Vercel runs
 * the major of package.json's engines; the machines here run Node 20.
 */
export function ensureNode(major: number): string {
  if (Number(process.versions.node.split(".")[0]) === major) return process.execPath;
  const prefix = resolve("node_modules/.cache", `node-${major}`);
  const binary = join(prefix, "node_modules", "node", "bin", "node");
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    execFileSync("npm", ["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", "--loglevel=error", `node@${major}`], {
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  if (!existsSync(binary)) throw new Error(`npm did not install node@${major} into ${prefix}`);
  return binary;
}

/** The major of a Vercel runtime name such as "nodejs24.x". */
export function runtimeMajor(runtime: string): number {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) throw new Error(`not a Node.js runtime: ${runtime}`);
  return Number(match[1]);
}

// `tsx scripts/ensure-node.ts 24` prints the binary's path (used by .ci/run).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(ensureNode(Number(process.argv[2])));
}
