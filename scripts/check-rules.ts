import { readRulesSource, rulesFrom } from "../src/alerts/rules-source.js";
import { defaultRules } from "../src/alerts/rules.js";
import { loadDotEnv, loadEnv } from "../src/env.js";
import { errorMessage } from "../src/errors.js";
import { thresholdsFrom } from "../src/settings.js";

// `npm run rules:check`: the alert rules this environment would run (ALERT_RULES_JSON, else
// ALERT_RULES_FILE), checked where a mistake can still stop a build instead of being a log line
// on the deployment. Exit 1 names the source and the field.
try {
  loadDotEnv();
  const env = loadEnv();
  const source = readRulesSource(env);
  const rules = rulesFrom(source, defaultRules({ fulfillmentFailureRate: env.FULFILLMENT_FAILURE_RATE, stability: thresholdsFrom(env) }));
  process.stdout.write(`alert rules ok: ${rules.length} rules (${source?.name ?? "the built-in rules"})\n`);
} catch (error) {
  process.stderr.write(`alert rules invalid: ${errorMessage(error)}\n`);
  process.exitCode = 1;
}
