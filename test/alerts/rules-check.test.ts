import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "../../src/alerts/rules.js";

// A rules mistake can fail the build (`npm run rules:check` in the build command) instead
// of becoming a log line on the deployment.
const check = (vars: Record<string, string>) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/check-rules.ts"], { env: { ...process.env, ...vars }, encoding: "utf8" });

describe("npm run rules:check", () => {
  it("passes the seed's rules and names how many will run", () => {
    const ok = check({
      ALERT_RULES_JSON:
        "alert_rules:\n  - name: custom_rule\n    event_types: [custom_event]\n    severity: high\n    channels: [slack]\n    throttle_minutes: 30\n",
    });
    expect([ok.status, ok.stdout]).toEqual([
      0,
      expect.stringContaining(`alert rules ok: ${DEFAULT_RULES.length + 1} rules (ALERT_RULES_JSON)`),
    ]);
  });

  it("exits 1 naming the source and the field", () => {
    const bad = check({
      ALERT_RULES_JSON: "alert_rules:\n  - name: x\n    event_types: [a]\n    severity: urgent\n    channels: [console]\n",
    });
    expect([bad.status, bad.stderr]).toEqual([1, expect.stringContaining("ALERT_RULES_JSON: alert_rules.0.severity:")]);
    const missing = check({ ALERT_RULES_FILE: "config/not-there.yaml" });
    expect([missing.status, missing.stderr]).toEqual([
      1,
      expect.stringContaining("ALERT_RULES_FILE config/not-there.yaml: cannot read it"),
    ]);
  });
});
