import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_VARIABLES, parseEnv } from "../../src/env.js";

describe(".env.example", () => {
  const text = readFileSync(".env.example", "utf8");
  const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+(?:<SOURCE>)?)=/gm)].map((m) => m[1]));

  it("documents every variable the config reads, each with a comment line above it", () => {
    expect(ENV_VARIABLES.length).toBeGreaterThan(10);
    for (const name of ENV_VARIABLES) expect(documented, name).toContain(name);
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (/^[A-Z]/.test(line)) expect(lines[i - 1], line).toMatch(/^#/);
    });
  });

  it("parses as valid configuration", () => {
    const vars = Object.fromEntries(
      text
        .split("\n")
        .filter((l) => /^[A-Z]/.test(l))
        .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(() => parseEnv(vars)).not.toThrow();
  });
});
