import { afterEach, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/env.js";
import { logConfiguredFeatures } from "../../src/features.js";
import { judgePrice } from "../../src/integrations/model-prices.js";
import { monitorSettings } from "../../src/monitoring/settings.js";
import { captureLogs } from "../helpers/deps.js";
import { monitoringWorld, verdicts, type MonitoringWorld } from "../helpers/monitoring.js";
import { addSessions, JUDGED } from "./factories.js";

let w: MonitoringWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MIN = 60_000;
const expectFixtureVerdicts = async (world: MonitoringWorld, n: number) => {
  const rows = await verdicts(world);
  for (let i = 0; i < n; i++)
    expect(rows.find((r) => r.session_id === `s-${i}`)).toMatchObject({ verification_status: JUDGED[i]!.verdict });
};

describe("a judge on servers that take json_schema and ignore it, or refuse it with 422", () => {
  it("after the first reply outside the schema, every ask goes in json_object mode with the schema in the prompt", async () => {
    w = await monitoringWorld({ traits: { ignoresJsonSchema: true }, env: { MONITOR_CONCURRENCY: "1" } });
    addSessions(w, 3);
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    expect(s).toMatchObject({ sessionsChecked: 3, errors: 0 });
    // One prose reply to json_schema; the same ask's second attempt and all later ones use json_object.
    expect(w.openai.calls.map((c) => c.format).filter((f) => f === "json_schema")).toEqual(["json_schema"]);
    expect(w.openai.calls.slice(1).every((c) => c.format === "json_object")).toBe(true);
    await expectFixtureVerdicts(w, 3);
  });

  it("a 422 naming the format is a format refusal like a 400: json_object from then on, no error", async () => {
    w = await monitoringWorld({ traits: { noJsonSchema: 422 }, env: { MONITOR_CONCURRENCY: "1" } });
    addSessions(w, 2);
    w.clock.advance(20 * MIN);
    expect(await w.cycle()).toMatchObject({ sessionsChecked: 2, errors: 0 });
    expect(w.openai.calls.slice(1).every((c) => c.format === "json_object")).toBe(true);
    await expectFixtureVerdicts(w, 2);
  });
});

describe("reasoning models", () => {
  it("get reasoning_effort low (auto) and JUDGE_MAX_COMPLETION_TOKENS; other models no reasoning_effort", async () => {
    w = await monitoringWorld({ env: { JUDGE_MODEL: "o4-mini", JUDGE_MAX_COMPLETION_TOKENS: "3000" } });
    addSessions(w, 1);
    w.clock.advance(20 * MIN);
    await w.cycle();
    expect(w.openai.calls.length).toBeGreaterThan(0);
    expect(w.openai.calls.every((c) => c.reasoningEffort === "low" && c.maxCompletionTokens === 3000)).toBe(true);
    await w.close();
    w = await monitoringWorld({ env: { JUDGE_MODEL: "gpt-4o-mini", JUDGE_REASONING_EFFORT: "auto" } });
    addSessions(w, 1);
    w.clock.advance(20 * MIN);
    await w.cycle();
    expect(w.openai.calls.every((c) => c.reasoningEffort === undefined && c.maxCompletionTokens === undefined)).toBe(true);
  });

  it("a server that refuses reasoning_effort is asked again without it, no error recorded", async () => {
    w = await monitoringWorld({ traits: { noReasoningEffort: true }, env: { JUDGE_MODEL: "gpt-5-mini", MONITOR_CONCURRENCY: "1" } });
    addSessions(w, 2);
    w.clock.advance(20 * MIN);
    expect(await w.cycle()).toMatchObject({ sessionsChecked: 2, errors: 0 });
    expect(w.openai.calls[0]!.reasoningEffort).toBe("low");
    expect(w.openai.calls.slice(1).every((c) => c.reasoningEffort === undefined)).toBe(true);
  });
});

describe("judge prices", () => {
  it("come from the table for common models (snapshots and provider prefixes too), and each env price overrides it", () => {
    expect(judgePrice("gpt-4o-mini", {})).toEqual({ inPerMTok: 0.15, outPerMTok: 0.6 });
    expect(judgePrice("gpt-4.1-mini-2025-04-14", {})).toEqual({ inPerMTok: 0.4, outPerMTok: 1.6 });
    expect(judgePrice("openai/gpt-5", {})).toEqual({ inPerMTok: 1.25, outPerMTok: 10 });
    expect(judgePrice("o3", {})).toEqual({ inPerMTok: 2, outPerMTok: 8 });
    expect(judgePrice("gpt-4o", { outPerMTok: 12 })).toEqual({ inPerMTok: 2.5, outPerMTok: 12 });
    expect(judgePrice("llama-3.1-70b", {})).toBeUndefined();
    expect(judgePrice("llama-3.1-70b", { inPerMTok: 0.5, outPerMTok: 0.7 })).toEqual({ inPerMTok: 0.5, outPerMTok: 0.7 });
  });

  it("count a gpt-4.1 judge's spend at gpt-4.1 prices, not gpt-4o-mini's", async () => {
    w = await monitoringWorld({ env: { JUDGE_MODEL: "gpt-4.1" } });
    addSessions(w, 1);
    w.clock.advance(20 * MIN);
    const s = await w.cycle();
    const tokens = await w.t.db.execute("SELECT SUM(tokens_in) AS i, SUM(tokens_out) AS o FROM monitoring_results");
    const expected = (Number(tokens.rows[0]!.i) * 2 + Number(tokens.rows[0]!.o) * 8) / 1e6;
    expect(s.costUsd).toBeCloseTo(expected, 6);
    expect(monitorSettings(w.deps.env).priceOutPerToken).toBe(8 / 1e6);
  });

  it("start-up warns when the judge model has no price, naming the variables", () => {
    const logs = captureLogs();
    logConfiguredFeatures(parseEnv({ OPENAI_API_KEY: "sk-x", JUDGE_MODEL: "llama-3.1-70b" }), logs.logger);
    expect(logs.records().find((r) => r.feature === "judge_spend_cap")).toMatchObject({
      level: "warn",
      reason: expect.stringMatching(/llama-3\.1-70b.*JUDGE_PRICE_INPUT_PER_MTOK/),
    });
    const priced = captureLogs();
    logConfiguredFeatures(parseEnv({ OPENAI_API_KEY: "sk-x", JUDGE_MODEL: "gpt-4o" }), priced.logger);
    expect(priced.records().some((r) => r.feature === "judge_spend_cap")).toBe(false);
  });
});
