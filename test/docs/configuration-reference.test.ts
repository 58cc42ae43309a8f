import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/env.js";
import { documentedInEnvExample, variablesIn } from "../helpers/env-example.js";

// The tables of settings in the README and docs/configuration.md are what a reader configures
// from: every variable they name is one .env.example documents, and a default they give is the
// one src/env.ts applies when the variable is unset.
const defaults = parseEnv({}) as unknown as Record<string, unknown>;

function tableRows(file: string, header: string) {
  const text = readFileSync(file, "utf8");
  const table = text.slice(text.indexOf(header)).split("\n\n")[0]!;
  return [...table.matchAll(/^\| (.+?) \| (.+?) \|/gm)].slice(2).map((m) => ({
    names: variablesIn(m[1]!),
    fallback: /^`([^`]+)`$/.exec(m[2]!.trim())?.[1],
  }));
}

const TABLES = [
  ["README.md", "| variable | default | what it does |"],
  ["docs/configuration.md", "| variable | default | what it does |"],
] as const;

describe.each(TABLES)("the settings table in %s", (file, header) => {
  const rows = tableRows(file, header);

  it("names only variables .env.example documents", () => {
    const names = rows.flatMap((r) => r.names);
    expect(names.length).toBeGreaterThan(8);
    const undocumented = names.filter(({ name, prefix }) => !documentedInEnvExample(name, prefix));
    expect(undocumented).toEqual([]);
  });

  it("gives the default src/env.ts applies", () => {
    const checked = rows.filter((r) => r.names.length >= 1 && r.fallback !== undefined);
    expect(checked.length).toBeGreaterThan(0);
    // A row of several variables gives the default of the one that has it.
    const wrong = checked.filter((r) => !r.names.some(({ name }) => String(defaults[name]) === r.fallback));
    expect(wrong.map((r) => `${r.names.map((n) => n.name).join(", ")}: not ${r.fallback}`)).toEqual([]);
  });
});
