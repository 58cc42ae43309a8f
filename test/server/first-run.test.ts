import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { localSecretsPath } from "../../src/server/local-secrets.js";
import { startServer, waitFor, type ServerProcess } from "../helpers/server-process.js";

// `npm run dev` with nothing configured works, and says how.
const dir = mkdtempSync(join(tmpdir(), "vigil-first-run-"));
const dataDir = join(dir, "data");
const unset = {
  VIGIL_API_KEY: "",
  WEBHOOK_SECRET: "",
  CRON_SECRET: "",
  VERCEL: "",
  NODE_ENV: "",
  VIGIL_DATA_DIR: dataDir,
  TURSO_DATABASE_URL: `file:${join(dir, "vigil.db")}`,
  LOCAL_SCHEDULER: "false",
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stop = async (s: ServerProcess) => {
  s.child.kill("SIGTERM");
  await s.exited;
};
const banner = (s: ServerProcess) =>
  waitFor(async () => (s.lines.some((l) => l.includes("Send a signed test event")) ? s.lines.join("\n") : undefined), 5000, "the banner");
const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`me:${key}`).toString("base64")}` });

function cli(args: string[], env: Record<string, string>): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("the first run with no configuration", () => {
  it("generates secrets once (mode 600), prints a URL, key and a working signed-event command, and reuses them", async () => {
    const first = await startServer(unset);
    const text = await banner(first);
    const stored = JSON.parse(readFileSync(localSecretsPath(dataDir), "utf8"));
    expect(statSync(localSecretsPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(stored.VIGIL_API_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.CRON_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(stored.WEBHOOK_SECRET.replace(/^whsec_/, ""), "base64")).toHaveLength(32);
    expect(text).toContain(`${first.baseUrl}/status`);
    expect(text).toContain(`API key:      ${stored.VIGIL_API_KEY}`);
    expect(text).toContain("generated now");
    // Not on port 3000 (the CLI's default): the printed CLI commands say where the server is.
    expect(text).toContain(`VIGIL_URL=${first.baseUrl} npm run monitor -- send-event message.received`);

    // GET / leads to the status page, which opens with the printed key.
    const root = await fetch(`${first.baseUrl}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/status");
    expect((await fetch(`${first.baseUrl}/status`, { headers: basic(stored.VIGIL_API_KEY) })).status).toBe(200);

    // The printed curl + openssl command, run as printed, is accepted and shows up on the page.
    const command = text.slice(text.indexOf('ts="$(date'), text.lastIndexOf('"$body"') + 7);
    const sent = execFileSync("bash", ["-c", command], { encoding: "utf8" });
    expect(sent).toContain('"received":true');
    const page = await (await fetch(`${first.baseUrl}/status`, { headers: basic(stored.VIGIL_API_KEY) })).text();
    expect(page).toMatch(/1 deliver/);

    // The CLI finds the local key and secret by itself, and its send-event is accepted too.
    const cliEnv = { VIGIL_URL: first.baseUrl, VIGIL_DATA_DIR: dataDir, VIGIL_API_KEY: "", WEBHOOK_SECRET: "" };
    const health = cli(["health"], cliEnv);
    expect(health.code, health.out).toBe(0);
    const send = cli(["send-event", "response.sent", "--source", "shop"], cliEnv);
    expect(send.code, send.out).toBe(0);
    expect(send.out).toMatch(/Sent response.sent to .*\/api\/webhooks\/shop .*HTTP 20\d/);

    // A .env in the working directory is read by the CLI (and the environment still wins).
    const project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(join(project, ".env"), `VIGIL_URL=${first.baseUrl}\nVIGIL_API_KEY=${stored.VIGIL_API_KEY}\n`);
    const tsx = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;
    const { VIGIL_URL: _url, VIGIL_API_KEY: _key, ...clean } = process.env;
    const fromDotEnv = spawnSync(process.execPath, ["--import", tsx, resolve("src/cli/main.ts"), "health"], {
      cwd: project,
      env: clean,
      encoding: "utf8",
    });
    expect(fromDotEnv.status, fromDotEnv.stderr).toBe(0);
    const envWins = spawnSync(process.execPath, ["--import", tsx, resolve("src/cli/main.ts"), "health"], {
      cwd: project,
      env: { ...clean, VIGIL_API_KEY: "a-different-key-that-is-wrong" },
      encoding: "utf8",
    });
    expect(envWins.status, envWins.stderr).toBe(3);
    await stop(first);

    const second = await startServer(unset);
    const again = await banner(second);
    expect(again).toContain(`API key:      ${stored.VIGIL_API_KEY}`);
    expect(again).toContain("reused");
    expect(JSON.parse(readFileSync(localSecretsPath(dataDir), "utf8"))).toEqual(stored);
    await stop(second);
    // Two servers and six child processes: generous on a busy machine.
  }, 120_000);

  it("never generates secrets in production (VERCEL=1 or NODE_ENV=production)", async () => {
    for (const prod of [{ VERCEL: "1" }, { NODE_ENV: "production" }]) {
      const prodDir = join(dir, `prod-${Object.keys(prod)[0]}`);
      const s = await startServer({ ...unset, ...prod, VIGIL_DATA_DIR: prodDir });
      expect(s.lines.join("\n")).not.toContain("API key:");
      expect((await fetch(`${s.baseUrl}/api/stats/health`, { headers: { authorization: "Bearer anything-at-all-123" } })).status).toBe(401);
      await stop(s);
      expect(() => statSync(localSecretsPath(prodDir))).toThrow();
    }
  });

  it("a port already in use is one line naming PORT, not a stack trace", async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as { port: number }).port)),
    );
    const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
      env: { ...process.env, ...unset, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    // "close", not "exit": the failure line written just before exiting may still be in the pipe at "exit".
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    blocker.close();
    expect(code).toBe(1);
    const failure = out.split("\n").find((l) => l.includes("startup failed"))!;
    expect(failure).toContain(`Port ${port} is already in use`);
    expect(failure).toContain("set PORT");
    expect(out).not.toMatch(/\n\s+at /);
  });
});
