import { describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.js";
import { ConfigError } from "../src/errors.js";

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

  it("requires the Upstash token alongside the URL", () => {
    expect(() => parseEnv({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1" })).toThrow(/UPSTASH_REDIS_REST_TOKEN/);
  });

  it("collects per-source webhook secrets", () => {
    const [a, b, c] = ["shared-secret-0123456789-abcdefgh", "bot-secret-one-0123456789-abcdefg", "bot-secret-two-0123456789-abcdefg"];
    const env = parseEnv({ WEBHOOK_SECRET: a, WEBHOOK_SECRET_WHATSAPP_BOT: `${b},${c}` });
    expect(env.webhookSecretsBySource).toEqual({ WHATSAPP_BOT: `${b},${c}` });
  });
});
