import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_KEY } from "./deps.js";
import { tapLogLine } from "./log-tap.js";

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  lines: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <argv>` pointed at `server` with the test API key, and collects what it wrote. */
export function runAgainst(server: ServerProcess, argv: string[], env: Record<string, string> = {}): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, {
      env: { ...process.env, VIGIL_URL: server.baseUrl, VIGIL_API_KEY: API_KEY, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the real local server (what `npm run dev` runs) on a free port and waits for it to listen. */
export async function startServer(env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
    // Secrets a test leaves unset are generated into a temporary directory, never the checkout's .data/.
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), "vigil-data-")), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  // "close", not "exit": at "exit" the last lines (the shutdown's) may still be unread in the pipe.
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${lines.join("\n")}`)), timeoutMs);
    // A read from a pipe may end mid-line (a line longer than the pipe's atomic write, or one
    // still being written): each stream keeps its unfinished line until the rest arrives.
    const onLine = (line: string) => {
      lines.push(line);
      tapLogLine(line);
      if (line.includes('"msg":"listening"')) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      }
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let partial = "";
      // Decoded per stream, so a character split between two reads is not mangled.
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop()!;
        for (const line of parts) if (line) onLine(line);
      });
      stream.on("end", () => partial && onLine(partial));
    }
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${lines.join("\n")}`)));
  });
  return { child, baseUrl, lines, exited };
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
