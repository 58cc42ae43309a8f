import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * A suite that drives a program a fresh machine may lack (Debian's redis-server, a Chromium)
 * runs when the program is there. Otherwise it is skipped, saying which one command enables it,
 * except under CI=true, where it is required: it runs and fails naming what is missing.
 */
export function optionalSuite(what: string, available: boolean, enable: string): { run: boolean; title: (name: string) => string } {
  const run = available || process.env.CI === "true";
  if (!run) process.stderr.write(`skipped: ${what} is not installed here. Enable with: ${enable}\n`);
  return { run, title: (name) => (available || run ? name : `${name} [skipped: no ${what}; enable with: ${enable}]`) };
}

export const hasProgram = (name: string) => !spawnSync(name, ["--version"]).error;

/**
 * The Chromium the browser tests drive: the build shipped inside the @sparticuz/chromium npm
 * package (unpacked on first use), else Debian's /usr/bin/chromium.
 */
export async function findChromium(): Promise<string | undefined> {
  try {
    const { default: chromium } = await import("@sparticuz/chromium");
    const path = await chromium.executablePath();
    // It needs the system's shared libraries (nss, …): use it only if it actually starts.
    if (path && existsSync(path) && spawnSync(path, ["--version"]).status === 0) return path;
  } catch {
    // Not installed, or not runnable on this platform: try Debian's.
  }
  return existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined;
}
