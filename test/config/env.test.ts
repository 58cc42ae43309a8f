import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/env.js";
import { ConfigError } from "../../src/errors.js";

describe("parseEnv", () => {
  it("needs no variables at all: embedded defaults", () => {
    const env = parseEnv({});
    expect(env.TURSO_DATABASE_URL).toBe("file:.data/vigil.db");
    expect(env.PORT).toBe(3000);
    expect(env.CRON_SECRET).toBeUndefined();
    expect(env.WEBHOOK_MAX_BYTES).toBe(256 * 1024);
  });

  it("drops empty strings and coerces numbers and booleans", () => {
    const env = parseEnv({ PORT: "8080", CRON_SECRET: "   ", VIGIL_API_KEY: "", LOCAL_SCHEDULER: "false" });
    expect(env.PORT).toBe(8080);
    expect(env.CRON_SECRET).toBeUndefined();
    expect(env.VIGIL_API_KEY).toBeUndefined();
    expect(env.LOCAL_SCHEDULER).toBe(false);
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["TURSO_DATABASE_URL", "postgres://x"],
    ["LOG_LEVEL", "loud"],
    ["CRON_SECRET", "short"],
    ["STABILITY_MIN_SUCCESS_RATE", "1.5"],
  ])("rejects %s=%s with a message naming the variable", (name, value) => {
    let thrown: unknown;
    try {
      parseEnv({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain(name);
  });

  it("names every invalid variable at once", () => {
    expect(() => parseEnv({ PORT: "x", LOG_LEVEL: "y" })).toThrow(/PORT.*LOG_LEVEL|LOG_LEVEL.*PORT/);
  });

  it("an embedded replica keeps its reads in a local file: TURSO_SYNC_URL needs a file: TURSO_DATABASE_URL", () => {
    expect(() => parseEnv({ TURSO_SYNC_URL: "libsql://db.turso.io", TURSO_DATABASE_URL: "libsql://db.turso.io" })).toThrow(
      /TURSO_DATABASE_URL must be the replica's file/,
    );
    const env = parseEnv({ TURSO_SYNC_URL: "libsql://db.turso.io", TURSO_DATABASE_URL: "file:/tmp/vigil-replica.db", VERCEL: "1" });
    expect([env.TURSO_SYNC_URL, env.TURSO_SYNC_INTERVAL_SECONDS]).toEqual(["libsql://db.turso.io", 60]);
  });

  it("requires the Upstash token alongside the URL", () => {
    expect(() => parseEnv({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1" })).toThrow(/UPSTASH_REDIS_REST_TOKEN/);
  });

  it("collects per-source webhook secrets", () => {
    const [a, b, c] = ["shared-secret-0123456789-abcdefgh", "bot-secret-one-0123456789-abcdefg", "bot-secret-two-0123456789-abcdefg"];
    const env = parseEnv({ WEBHOOK_SECRET: a, WEBHOOK_SECRET_WHATSAPP_BOT: `${b},${c}` });
    expect(env.webhookSecretsBySource).toEqual({ WHATSAPP_BOT: `${b},${c}` });
  });
});

describe("loadDotEnv (server, CLI and scripts)", () => {
  // In a child process: the test itself never writes process.env.
  const loaded = (files: Record<string, string>, env: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-dotenv-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const script = `import { loadDotEnv } from ${JSON.stringify(pathToFileURL(resolve("src/env.ts")).href)};
      loadDotEnv(); console.log(JSON.stringify({ a: process.env.VIGIL_A, b: process.env.VIGIL_B, c: process.env.VIGIL_C }));`;
    const tsx = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;
    const run = spawnSync(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH, NODE_OPTIONS: "", ...env },
    });
    rmSync(dir, { recursive: true, force: true });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  };

  it("reads .env.local (what vercel env pull writes) over .env, and the environment over both; a value pulled empty hides nothing", () => {
    expect(
      loaded(
        {
          ".env": "VIGIL_A=from-env\nVIGIL_B=from-env\nVIGIL_C=from-env\n",
          ".env.local": 'VIGIL_A=from-local\nVIGIL_B=""\nVIGIL_C=from-local\n',
        },
        { VIGIL_C: "from-shell" },
      ),
    ).toEqual({ a: "from-local", b: "from-env", c: "from-shell" });
  });
});
