// `npm run eval`: judge agreement on the labelled fixtures against any OpenAI-compatible endpoint
// (OPENAI_API_KEY, OPENAI_BASE_URL, JUDGE_MODEL). It runs the pipeline's own decision
// (judgeTranscript: the same shouldJudge, evidence check and injection flag) and diagnosis
// prompt. Pointed at a scripted model that answers each fixture's label it only proves the
// plumbing; the agreement it reports is the judge's only with a real model.
import { loadDotEnv, loadEnv } from "../src/env.js";
import { judgeFromEnv } from "../src/deps.js";
import type { JudgeRequest } from "../src/integrations/judge.js";
import { DIAGNOSIS_SYSTEM, diagnosisSchema, diagnosisUser } from "../src/monitoring/prompts.js";
import { monitorSettings } from "../src/settings.js";
import { buildTranscript, type StoredObservation } from "../src/monitoring/transcript.js";
import { judgeTranscript } from "../src/monitoring/judging.js";
import { ADVERSARIAL } from "../fixtures/adversarial.js";
import { FIXTURES, type Fixture } from "../fixtures/conversations.js";
import { fixtureObservations } from "../fixtures/to-observations.js";
import type { z } from "zod";

loadDotEnv();
const env = loadEnv();
if (!env.OPENAI_API_KEY) {
  process.stderr.write("OPENAI_API_KEY is not set: point OPENAI_API_KEY / OPENAI_BASE_URL / JUDGE_MODEL at the model to evaluate.\n");
  process.exit(1);
}
const s = monitorSettings(env);
const judge = judgeFromEnv(env, env.OPENAI_API_KEY);
const ask = async <S extends z.ZodType>(r: JudgeRequest<S>) => (await judge.ask(r)).value;
const transcriptOf = (f: Fixture) => buildTranscript(fixtureObservations(f, 0) as unknown as StoredObservation[], s.transcriptMaxChars);

type Tally = Map<string, { agree: number; total: number }>;
const count = (t: Tally, key: string, agree: boolean) => {
  const c = t.get(key) ?? { agree: 0, total: 0 };
  c.total++;
  if (agree) c.agree++;
  t.set(key, c);
};
const byVerdict: Tally = new Map();
const byIntent: Tally = new Map();
const byCategory: Tally = new Map();
let intentAgree = 0;
let verdictAgree = 0;
const rows: string[] = [];
for (const f of FIXTURES) {
  const transcript = transcriptOf(f);
  const judged = await judgeTranscript(ask, transcript, s.taxonomy);
  const intent = judged.intent?.intent ?? "none";
  const verdict = judged.status;
  let category = "";
  if (f.category && judged.status !== "skipped" && judged.status !== "pass") {
    const d = await ask({
      task: "diagnosis",
      schema: diagnosisSchema,
      system: DIAGNOSIS_SYSTEM,
      user: diagnosisUser(
        { status: verdict, summary: judged.fulfillment.summary, unmet: judged.fulfillment.unmet },
        transcript.text,
        transcript.errors,
      ),
    });
    category = d.category;
    count(byCategory, f.category, category === f.category);
  }
  intentAgree += Number(intent === f.intent);
  verdictAgree += Number(verdict === f.verdict);
  count(byIntent, f.intent, intent === f.intent);
  count(byVerdict, f.verdict, verdict === f.verdict);
  rows.push(
    `| ${f.id} | ${f.intent} | ${intent} | ${f.verdict} | ${verdict} | ${f.category ?? ""} | ${category} | ${verdict === f.verdict ? "✓" : "✗"} |`,
  );
}
// Conversations in which the caller tries to steer the judge: none may end as pass.
let injectionsPassed = 0;
for (const f of ADVERSARIAL) if ((await judgeTranscript(ask, transcriptOf(f), s.taxonomy)).status === "pass") injectionsPassed++;

const pct = (n: number, d: number) => `${d === 0 ? 0 : ((n / d) * 100).toFixed(0)}%`;
const tallyTable = (title: string, t: Tally) => [
  `## ${title}`,
  "",
  "| label | agree | of | |",
  "|---|---|---|---|",
  ...[...t].map(([k, c]) => `| ${k} | ${c.agree} | ${c.total} | ${pct(c.agree, c.total)} |`),
  "",
];
process.stdout.write(
  [
    `# Judge agreement: ${env.JUDGE_MODEL}`,
    "",
    `Intent: ${intentAgree}/${FIXTURES.length} (${pct(intentAgree, FIXTURES.length)}). Verdict: ${verdictAgree}/${FIXTURES.length} (${pct(verdictAgree, FIXTURES.length)}).`,
    `Injection fixtures judged pass: ${injectionsPassed}/${ADVERSARIAL.length} (must be 0).`,
    "",
    "A scripted model that answers each fixture's label measures the plumbing, not the judging: only a real model's numbers say how well it judges.",
    "",
    ...tallyTable("By verdict", byVerdict),
    ...tallyTable("By intent", byIntent),
    ...tallyTable("By diagnosis category (failed and partial fixtures)", byCategory),
    "## Fixtures",
    "",
    "| fixture | intent | judged | verdict | judged | category | diagnosed | |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n"),
);
