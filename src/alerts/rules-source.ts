import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import type { Env } from "../env.js";
import { ConfigError, errorMessage } from "../errors.js";
import type { Logger } from "../log.js";
import { defaultRules, ruleSchema, SIGNALS, type Rule } from "./rules.js";
import { thresholdsFrom } from "../stability/thresholds.js";

/** Where a deployment's rules come from, named as the log line and the error name it. */
export interface RulesSource {
  name: string;
  text: string;
}

/**
 * ALERT_RULES_JSON (the rules themselves, JSON or YAML, for a deployment: nothing to bundle) wins
 * over ALERT_RULES_FILE (a path from the working directory: the project root, locally and in a
 * Vercel function, where the file must be bundled with it).
 */
export function readRulesSource(env: Pick<Env, "ALERT_RULES_JSON" | "ALERT_RULES_FILE">): RulesSource | undefined {
  if (env.ALERT_RULES_JSON) return { name: "ALERT_RULES_JSON", text: env.ALERT_RULES_JSON };
  const path = env.ALERT_RULES_FILE;
  if (!path) return undefined;
  try {
    return { name: `ALERT_RULES_FILE ${path}`, text: readFileSync(path, "utf8") };
  } catch (error) {
    throw new ConfigError(`ALERT_RULES_FILE ${path}: cannot read it (${errorMessage(error)})`);
  }
}

// Seed 004's alerts.yaml, as written: `alert_rules`, snake_case keys, `throttle_minutes`, and
// `run_failure` for the run-failed rule. Each name it uses is declared here; nothing is guessed.
const SEED_KEYS: Record<string, string> = {
  event_types: "eventTypes",
  throttle_minutes: "repeatMinutes",
  window_minutes: "windowMinutes",
  for_evaluations: "forEvaluations",
  group_wait_seconds: "groupWaitSeconds",
  flap_minutes: "flapMinutes",
  notify_resolved: "notifyResolved",
};
const SEED_NAMES: Record<string, string> = { run_failure: "run_failed" };
const RULE_KEYS = new Set(Object.keys(ruleSchema.shape));
const isSignal = (name: unknown): name is (typeof SIGNALS)[number] => SIGNALS.includes(name as never);

const fileSchema = z.union([
  z.strictObject({ rules: z.array(z.record(z.string(), z.unknown())) }),
  z.strictObject({ alert_rules: z.array(z.record(z.string(), z.unknown())) }),
]);

/** A file's rule in Vigil's names, with where each came from (to name the field as the file wrote it). */
function normalise(
  raw: Record<string, unknown>,
  at: string,
  fail: (what: string) => never,
): { rule: Record<string, unknown>; wrote: Map<string, string> } {
  const rule: Record<string, unknown> = {};
  const wrote = new Map<string, string>();
  for (const [key, value] of Object.entries(raw)) {
    const name = SEED_KEYS[key] ?? key;
    if (!RULE_KEYS.has(name)) fail(`${at}.${key}: unknown field`);
    rule[name] = value;
    wrote.set(name, key);
  }
  if (typeof rule.name === "string") rule.name = SEED_NAMES[rule.name] ?? rule.name;
  if (rule.signal === undefined) {
    const types = rule.eventTypes;
    // The seed routes its run rules by their own event ("run_failure: event_types [run_failed]"):
    // that is the built-in signal, which keys each alert by the run.
    const ownEvent = Array.isArray(types) && types.length === 1 && types[0] === rule.name;
    if (isSignal(rule.name) && (types === undefined || ownEvent)) {
      rule.signal = rule.name;
      delete rule.eventTypes;
    } else if (types !== undefined) rule.signal = "events";
  }
  return { rule, wrote };
}

/**
 * The defaults with a source's rules applied. A rule with a default's name is written over it
 * (`- name: run_failure` with `severity` and `throttle_minutes` keeps the rest of the default);
 * others are added, their window their throttle unless given. A problem names the source and
 * the field as the file wrote it.
 */
export function rulesFrom(source: RulesSource | undefined, defaults: Rule[]): Rule[] {
  if (!source) return defaults;
  const fail = (what: string): never => {
    throw new ConfigError(`${source.name}: ${what}`);
  };
  let raw: unknown;
  try {
    raw = parse(source.text);
  } catch (error) {
    fail(`cannot read it as YAML or JSON (${errorMessage(error).split("\n")[0]})`);
  }
  const file = fileSchema.safeParse(raw);
  if (!file.success) fail('expected an object with a list "rules" (or the seed\'s "alert_rules") and nothing else');
  const [top, list] = "rules" in file.data! ? ["rules", file.data!.rules] : ["alert_rules", file.data!.alert_rules];
  const byName = new Map(defaults.map((r) => [r.name, r]));
  for (const [i, entry] of list.entries()) {
    const { rule, wrote } = normalise(entry, `${top}.${i}`, fail);
    const base = typeof rule.name === "string" ? byName.get(rule.name) : undefined;
    const merged = base ? { ...base, ...rule } : { windowMinutes: rule.repeatMinutes, ...rule };
    const parsed = ruleSchema.safeParse(merged);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const [field, ...rest] = issue.path.map(String);
      fail(`${[top, i, wrote.get(field ?? "") ?? field, ...rest].join(".")}: ${issue.message}`);
    }
    byName.set(parsed.data!.name, parsed.data!);
  }
  return [...byName.values()];
}

/**
 * The rules this deployment runs. Locally a bad source stops start-up (the developer is there to
 * read it); on a deployment it is one error line naming the source, and the built-in rules keep
 * alerting: a typo in a rules file must not take /api/health and every route down with it.
 */
export function rulesFromEnv(
  env: Pick<Env, "ALERT_RULES_JSON" | "ALERT_RULES_FILE" | "FULFILLMENT_FAILURE_RATE" | "COST_SPIKE_RATIO"> &
    Parameters<typeof thresholdsFrom>[0],
  log: Logger,
  deployed: boolean,
): Rule[] {
  const defaults = defaultRules({
    fulfillmentFailureRate: env.FULFILLMENT_FAILURE_RATE,
    costSpikeRatio: env.COST_SPIKE_RATIO,
    stability: thresholdsFrom(env),
  });
  try {
    return rulesFrom(readRulesSource(env), defaults);
  } catch (error) {
    if (!(error instanceof ConfigError) || !deployed) throw error;
    log.error("alert rules not loaded: the built-in rules apply", { reason: error.message });
    return defaults;
  }
}
