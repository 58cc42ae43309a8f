import { spawn, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";

export interface BenchResult {
  title: string;
  /** Markdown lines: a table and notes. */
  lines: string[];
  /** Goal lines, each marked met or not; never a reason to fail the run. */
  goals: { goal: string; met: boolean; measured: string }[];
}

export const machine = () =>
  `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "cpu"}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;

export function table(headers: string[], rows: (string | number)[][]): string[] {
  return [`| ${headers.join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

export function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s.at(-1)! };
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/**
 * Starts a TypeScript entry as a child process and resolves once it prints `ready <url>` or
 * Vigil's listening line. `cpus`: pinned to those cores with taskset; `imports`: preloaded modules;
 * `nodeArgs`: e.g. `--cpu-prof`.
 */
export function startChild(
  entry: string,
  env: Record<string, string>,
  options: { cpus?: string; imports?: string[]; nodeArgs?: string[]; args?: string[] } = {},
): Promise<{ child: ChildProcess; url: string }> {
  // tsx first, so a preloaded module may be TypeScript.
  const args = [
    ...(options.nodeArgs ?? []),
    "--import",
    "tsx",
    ...(options.imports ?? []).flatMap((m) => ["--import", m]),
    entry,
    ...(options.args ?? []),
  ];
  const [command, argv] = options.cpus ? ["taskset", ["-c", options.cpus, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"msg":"listening"[^\n]*"url":"([^"]+)"/.exec(out) ?? /ready (http\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => reject(new Error(`${entry} exited with ${code}:\n${out}`)));
  });
}

export const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

export interface Probe {
  cpuMicros: number;
  rowsWritten: number;
}

/** The server's own CPU time and rows written so far (bench/server-probe.ts answers SIGUSR2). */
export function probe(child: ChildProcess): Promise<Probe> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("the server did not answer the probe")), 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /^probe (\{.*\})$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve(JSON.parse(m[1]!) as Probe);
    };
    child.stdout!.on("data", onData);
    child.kill("SIGUSR2");
  });
}
