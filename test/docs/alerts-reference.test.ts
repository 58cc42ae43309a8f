import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";

// docs/alerts.md is where a reader learns what pages them: its table of built-in rules and the
// rules it says reach PagerDuty are checked against the rules Vigil ships.
const page = readFileSync("docs/alerts.md", "utf8");
const rows = [...page.matchAll(/^\| `([a-z_]+)` \| ([a-z]+)/gm)].map((m) => ({ name: m[1]!, severity: m[2]! }));
const paged = /rules that name the `pagerduty` channel \(built in: ([^)]*)\)/.exec(page)?.[1] ?? "";

describe("docs/alerts.md", () => {
  it("has one row per built-in rule, with its severity", () => {
    expect(rows).toEqual(expect.arrayContaining(DEFAULT_RULES.map((r) => ({ name: r.name, severity: r.severity }))));
    expect(rows.map((r) => r.name).sort()).toEqual(DEFAULT_RULES.map((r) => r.name).sort());
  });

  it("names the built-in rules that page through PagerDuty", () => {
    const named = [...paged.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
    expect(named.sort()).toEqual(
      DEFAULT_RULES.filter((r) => r.channels.includes("pagerduty"))
        .map((r) => r.name)
        .sort(),
    );
  });
});
