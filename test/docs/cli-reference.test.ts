import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";

// The command list in docs/runs.md is the CLI's reference for a reader: one line per command the
// CLI dispatches (its command table, plus send-event and import-seed, which it handles itself).
const section = readFileSync("docs/runs.md", "utf8").split("## The CLI")[1] ?? "";
const documented = [...section.matchAll(/^npx vigil ([a-z-]+)/gm)].map((m) => m[1]!);
const RUNS = [...Object.keys(COMMANDS), "send-event", "import-seed"];

describe("the CLI reference in docs/runs.md", () => {
  it("lists every command the CLI runs, and no other", () => {
    expect([...new Set(documented)].sort()).toEqual([...RUNS].sort());
  });

  it("is where the README's commands come from: each one the README shows is one the CLI runs", () => {
    const shown = [...readFileSync("README.md", "utf8").matchAll(/npx vigil ([a-z][a-z-]*)/g)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.filter((c) => !RUNS.includes(c))).toEqual([]);
  });
});
