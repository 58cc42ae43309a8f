import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_RULES, defaultRules, SIGNALS } from "../../src/alerts/rules.js";
import { readRulesSource, rulesFrom } from "../../src/alerts/rules-source.js";
import { depsFromEnv } from "../../src/deps.js";
import { ConfigError } from "../../src/errors.js";
import { testEnv } from "../helpers/deps.js";

const dir = mkdtempSync(join(tmpdir(), "vigil-rules-"));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

describe("alert rules", () => {
  it("has a default for every signal, with the seed's severities and throttles", () => {
    expect(DEFAULT_RULES.map((r) => r.signal).sort()).toEqual([...SIGNALS].sort());
    const byName = Object.fromEntries(DEFAULT_RULES.map((r) => [r.name, r]));
    expect(byName.run_failed).toMatchObject({ severity: "critical", repeatMinutes: 15 });
    expect(byName.archival_failure).toMatchObject({ severity: "high", repeatMinutes: 30 });
    expect(byName.run_stalled).toMatchObject({ severity: "medium", repeatMinutes: 60 });
    expect(byName.step_failure).toMatchObject({ severity: "medium", repeatMinutes: 30, channels: ["console"] });
  });

  it("applies a rules file: same name replaces, a new name adds", () => {
    const path = file("ok.json", {
      rules: [
        { name: "run_failed", signal: "run_failed", severity: "high", channels: ["console"], windowMinutes: 5, repeatMinutes: 5 },
        {
          name: "slow_bot",
          signal: "response_time",
          severity: "low",
          channels: ["slack"],
          windowMinutes: 15,
          threshold: 5000,
          repeatMinutes: 30,
          forEvaluations: 3,
        },
      ],
    });
    const rules = rulesFrom(readRulesSource({ ALERT_RULES_FILE: path }), defaultRules({ fulfillmentFailureRate: 0.2 }));
    expect(rules.find((r) => r.name === "run_failed")).toMatchObject({ severity: "high", windowMinutes: 5 });
    expect(rules.find((r) => r.name === "slow_bot")).toMatchObject({ forEvaluations: 3, groupWaitSeconds: 0 });
    expect(rules).toHaveLength(DEFAULT_RULES.length + 1);
  });

  it.each([
    [
      "a bad severity",
      { rules: [{ name: "x", signal: "run_failed", severity: "urgent", channels: ["console"], windowMinutes: 1, repeatMinutes: 1 }] },
      "rules.0.severity",
    ],
    [
      "an unknown signal",
      { rules: [{ name: "x", signal: "vibes", severity: "low", channels: ["console"], windowMinutes: 1, repeatMinutes: 1 }] },
      "rules.0.signal",
    ],
    [
      "no channels",
      { rules: [{ name: "x", signal: "run_failed", severity: "low", channels: [], windowMinutes: 1, repeatMinutes: 1 }] },
      "rules.0.channels",
    ],
    ["not JSON", "{rules:", "cannot read it as YAML or JSON"],
  ])("stops start-up on %s, naming the file and the field", (_n, content, field) => {
    const path = file(`bad-${field}.json`, content);
    let thrown: unknown;
    try {
      depsFromEnv(testEnv({ ALERT_RULES_FILE: path }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain(path);
    expect((thrown as Error).message).toContain(field);
  });
});
