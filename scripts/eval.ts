// `npm run eval`: judge agreement on the labelled fixtures against any OpenAI-compatible endpoint
// (OPENAI_API_KEY, OPENAI_BASE_URL, JUDGE_MODEL). Uses Vigil's own prompts and schemas.
import { loadDotEnv, loadEnv } from "../src/env.js";
import { createOpenAIJudge } from "../src/integrations/judge.js";
import { FULFILLMENT_SYSTEM, fulfillmentSchema, fulfillmentUser, INTENT_SYSTEM, intentSchema, intentUser } from "../src/monitoring/prompts.js";
import { monitorSettings } from "../src/monitoring/settings.js";
import { buildTranscript, type StoredObservation } from "../src/monitoring/transcript.js";
import { FIXTURES } from "../test/fixtures/conversations.js";
import { fixtureObservations } from "../test/fixtures/to-observations.js";

loadDotEnv();
const env = loadEnv();
if (!env.OPENAI_API_KEY) {
  process.stderr.write("OPENAI_API_KEY is not set: point OPENAI_API_KEY / OPENAI_BASE_URL / JUDGE_MODEL at the model to evaluate.\n");
  process.exit(1);
}
const s = monitorSettings(env);
const judge = createOpenAIJudge({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, model: env.JUDGE_MODEL, timeoutSeconds: env.MODEL_TIMEOUT_SECONDS });

let intentAgree = 0;
let verdictAgree = 0;
const rows: string[] = [];
for (const f of FIXTURES) {
  const transcript = buildTranscript(fixtureObservations(f, 0) as unknown as StoredObservation[], s.transcriptMaxChars);
  const intent = (await judge.ask({ task: "intent", schema: intentSchema(s.taxonomy), system: INTENT_SYSTEM(s.taxonomy), user: intentUser(transcript.text) })).value;
  let verdict = "skipped";
  if (intent.intent !== "unknown" && intent.confidence >= 0.5) {
    verdict = (await judge.ask({ task: "fulfillment", schema: fulfillmentSchema, system: FULFILLMENT_SYSTEM, user: fulfillmentUser(intent, transcript.text) })).value.status;
  }
  intentAgree += Number(intent.intent === f.intent);
  verdictAgree += Number(verdict === f.verdict);
  rows.push(`| ${f.id} | ${f.intent} | ${intent.intent} | ${f.verdict} | ${verdict} | ${verdict === f.verdict ? "✓" : "✗"} |`);
}
const pct = (n: number) => `${((n / FIXTURES.length) * 100).toFixed(0)}%`;
process.stdout.write(
  [`# Judge agreement: ${env.JUDGE_MODEL}`, "", `Intent: ${intentAgree}/${FIXTURES.length} (${pct(intentAgree)}). Verdict: ${verdictAgree}/${FIXTURES.length} (${pct(verdictAgree)}).`, "", "| fixture | intent | judged | verdict | judged | |", "|---|---|---|---|---|---|", ...rows, ""].join("\n"),
);
