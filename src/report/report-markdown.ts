import { QUALITY_FLAGS } from "../monitoring/quality-counts.js";
import { usd } from "../monitoring/cost-queries.js";
import { showControlCharacters } from "../security/control-characters.js";
import { describeStart } from "../stability/observation.js";
import { qualityLabel } from "../stability/quality-checks.js";
import type { StabilityReport } from "./stability-report.js";
import { observedHours } from "./report-advice.js";
import type { Label } from "./report-checks.js";
import type { LogEntry } from "./report-log.js";
import { formatP } from "../regression/detect.js";
import { releaseRows } from "../regression/releases.js";

// Two values in the report come from outside: a bot's error types and Langfuse session ids (set by
// the bot, often from what a caller typed). The report is pasted into GitHub and Slack and rendered
// there, so each is escaped as text. `&`, `<` and `>` become entities, which CommonMark decodes to
// plain characters (0.31 §2.5: no raw HTML or autolink can start) and which are the escapes Slack
// documents for its own `<!channel>` and `<url|text>` syntax (docs.slack.dev, "Formatting message
// text": escaping). Other ASCII punctuation that opens an inline construct is backslash-escaped
// (CommonMark §2.4: links, images, emphasis, code spans; `_` only where it could open or close
// emphasis, §6.2: not between two letters or digits, so `send_failed` stays as it is), `|` too (GFM
// spec, tables: "include a pipe in a cell's content by escaping it"), and `@`/`#` so GitHub makes no
// mention or reference. A control character (a newline would start a heading or a fake verdict
// line) is written as a visible `\xNN`, which CommonMark leaves literal.
const MD_SPECIAL = /[\\`*[\]<>|!~&@#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g;
const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const mdText = (s: string) => showControlCharacters(s.replace(MD_SPECIAL, (c) => ENTITY[c] ?? `\\${c}`));

/**
 * Red flags and recommendations are sentences built before rendering with those values inside
 * (and recommendations with code spans of Vigil's own); only the outside values in them are escaped.
 */
function escaperFor(r: StabilityReport): (text: string) => string {
  const values = [
    ...Object.keys(r.metrics.errorsByType),
    ...r.metrics.errorGroups.flatMap((g) => (g.latestMessage ? [g.latestMessage] : [])),
    ...(r.metrics.slowReplies.slowest?.conversationId ? [r.metrics.slowReplies.slowest.conversationId] : []),
    ...(r.observation.start?.kind === "restarted" ? [r.observation.start.note] : []),
    ...r.log.flatMap((c) => Object.keys(c.errorsByType)),
    ...Object.values(r.qualityChecks.examples).flat(),
  ].filter((v) => v.length > 0 && mdText(v) !== v);
  if (values.length === 0) return (text) => text;
  const longestFirst = [...new Set(values)].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(longestFirst.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (text) => text.replace(pattern, mdText);
}

const ts = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);
const ms = (x: number | null) => (x === null ? "n/a" : `${x} ms`);
const errorsLine = (errors: number, byType: Record<string, number>) =>
  errors === 0
    ? "0"
    : `${errors} (${Object.entries(byType)
        .map(([t, n]) => `${mdText(t)}: ${n}`)
        .join(", ")})`;
const statusText = (r: StabilityReport) =>
  r.status === "STABLE"
    ? "STABLE"
    : r.status === "NO_DATA"
      ? "NO DATA YET"
      : r.status === "IN_PROGRESS"
        ? `IN PROGRESS (${observedHours(r.observation)})`
        : "NEEDS ATTENTION";
const labelText = (l: Label, why: string | undefined, yes = "YES", no = "NO") =>
  l === "not_measured" ? `NOT MEASURED (${why})` : l === "yes" ? yes : no;

function entryLines(c: LogEntry, outside: (t: string) => string): string[] {
  return [
    `### Hour ${c.hour}`,
    `- **Time:** ${ts(c.windowEnd)} (window ${ts(c.windowStart)} – ${ts(c.windowEnd)})`,
    `- **Webhook deliveries:** ${c.deliveries}`,
    `- **Messages processed:** ${c.processed}`,
    `- **Signature verifications:** ${c.signaturePassed} passed / ${c.signatureFailures} failed`,
    `- **Errors:** ${errorsLine(c.errors, c.errorsByType)}`,
    `- **Response time (avg):** ${ms(c.avgResponseMs)} (p95 ${ms(c.p95ResponseMs)})`,
    `- **Notes:** ${c.redFlags.length === 0 ? "No red flags." : c.redFlags.map((f) => `${f.severity.toUpperCase()}: ${outside(f.message)}`).join("; ")}`,
    "",
  ];
}

/** The current release beside the previous one; release names come from the bot and Langfuse: escaped as text. */
function releaseLines(r: StabilityReport): string[] {
  const { why, rows } = releaseRows(r.releases);
  const lines = ["", "## By Release", ""];
  if (why) lines.push(`**Current vs previous release:** ${mdText(why)}.`, "");
  if (rows.length === 0) return lines;
  const [names, ...rest] = rows;
  lines.push(`| Metric | Current: ${mdText(names![1])} | Previous: ${mdText(names![2])} |`, "|--------|---------|----------|");
  // Version and prompt names come from Langfuse: every cell is escaped as text.
  for (const [metric, cur, prev] of rest) lines.push(`| ${metric} | ${mdText(cur)} | ${mdText(prev)} |`);
  for (const c of r.releases.comparisons)
    lines.push(`- ${c.metric}: now ${c.now} vs ${c.baseline} — ${c.effect}, p = ${formatP(c.p)}${c.regression ? " — **regression**" : ""}`);
  return lines;
}

const money = (x: number | null) => (x === null ? "not measured" : usd(x));

/** The bot's cost per conversation and per fulfilled one, the judge's beside it (never added in). */
function costLines(r: StabilityReport): string[] {
  const c = r.cost;
  const lines = [
    "## Cost per Conversation",
    "",
    c.measured === 0
      ? `**Bot cost:** not measured (${c.conversations === 0 ? "no conversation judged in the period" : `none of ${c.conversations} conversation(s) carried a Langfuse cost`}).`
      : `**Bot cost:** ${usd(c.botUsd!)} over ${c.measured} of ${c.conversations} conversation(s) with a Langfuse cost: ${money(c.perConversationUsd)} per conversation, ${money(c.perFulfilledUsd)} per fulfilled conversation (${c.fulfilled} fulfilled).`,
    `**Judge cost (separate):** ${usd(c.judgeUsd)} judging these conversations; ${usd(c.judgeTodayUsd)} today (UTC: analyses, diagnoses, retries).`,
  ];
  if (c.hourly.some((h) => h.measured > 0))
    lines.push(
      "",
      "| Hour | Conversations | Measured | Per conversation | Per fulfilled | Judge |",
      "|------|---------------|----------|------------------|---------------|-------|",
      ...c.hourly.map(
        (h) =>
          `| ${ts(h.hour)} | ${h.conversations} | ${h.measured} | ${money(h.perConversationUsd)} | ${money(h.perFulfilledUsd)} | ${usd(h.judgeUsd)} |`,
      ),
    );
  return lines;
}

/** The monitoring log of seed 003 (its sections, in its order), from the same report as the JSON. */
export function renderStabilityMarkdown(r: StabilityReport): string {
  const m = r.metrics;
  const o = r.observation;
  const outside = escaperFor(r);
  const status = statusText(r);
  const mark = (c: { state: string; why?: string }) =>
    r.status === "NO_DATA" ? "–" : c.state === "pass" ? "✓" : c.state === "fail" ? "✗" : `– not measured: ${c.why}`;
  const [baseline, ...entries] = r.log;
  const lines: string[] = [
    `# ${r.hours}-Hour Stability Monitoring Log`,
    "",
    `**Start:** ${ts(r.start)}`,
    `**End:** ${ts(r.end)}`,
    `**Status:** ${status}`,
    `**Observation period:** ${o.since === null ? outside(describeStart(o)) : `since ${ts(o.since)} (${outside(describeStart(o))}), ${observedHours(o)}`}`,
    "",
    "## Checkpoint Log",
    "",
    "### Hour 0 (Start)",
    `- **Time:** ${ts(r.start)}`,
    `- **Webhook deliveries:** ${baseline!.deliveries}`,
    `- **Messages processed:** ${baseline!.processed}`,
    `- **Errors:** ${errorsLine(baseline!.errors, baseline!.errorsByType)}`,
    `- **Notes:** Initial baseline established (counts of the 4 hours before Start); Vigil writes an entry every 4 hours from Start.`,
    "",
  ];
  // The last window ending at End is the Final entry's.
  for (const c of entries.filter((c) => c.windowEnd < r.end)) lines.push(...entryLines(c, outside));
  const finalHour = Math.floor((r.end - r.start) / 3600_000);
  const notMeasured = r.checks.filter((c) => c.state === "not_measured");
  lines.push(
    `### Hour ${finalHour} (${o.complete ? "Final" : "latest, period in progress"})`,
    `- **Time:** ${ts(r.end)}`,
    `- **Total webhook deliveries:** ${m.deliveries}`,
    `- **Total messages processed:** ${m.processed}`,
    `- **Success rate:** ${pct(m.successRate)}`,
    `- **Errors:** ${m.errorGroups.length === 0 ? errorsLine(m.errors, m.errorsByType) : `${m.errors}, by type:`}`,
    ...m.errorGroups.map(
      (g) =>
        `  - ${mdText(g.type)}: ${g.count} (first ${ts(g.firstAt)}, last ${ts(g.lastAt)}, ${g.conversations} conversation(s) affected)${g.latestMessage ? ` — latest message: "${mdText(g.latestMessage)}"` : ""}`,
    ),
    `- **Response time (avg):** ${ms(m.responseTime.avgMs)} (p95 ${ms(m.responseTime.p95Ms)}, max ${ms(m.responseTime.maxMs)}; ${m.slowReplies.count} over ${r.checks.find((c) => c.name === "avg_response_time")!.threshold.replace("< ", "")})`,
    `- **Notes:** ${[
      r.redFlags.length === 0 ? "No red flags." : `${r.redFlags.length} red flag(s), listed under Issues Encountered.`,
      ...notMeasured.map((c) => `${c.label} not measured: ${c.why}.`),
      o.complete ? "" : `The period is not complete: ${observedHours(o)}.`,
    ]
      .filter(Boolean)
      .join(" ")}`,
    "",
    "## Metrics Summary",
    "",
    "| Metric | Value | Status |",
    "|--------|-------|--------|",
    `| Webhook deliveries | ${m.deliveries} | ${r.status === "NO_DATA" ? "–" : m.deliveries > 0 ? "✓" : "✗"} |`,
    `| Messages processed | ${m.processed} | ${r.status === "NO_DATA" ? "–" : m.processed > 0 ? "✓" : "✗"} |`,
  );
  for (const c of r.checks) {
    const value =
      c.name === "success_rate" || c.name === "error_rate" ? pct(c.value) : c.name === "avg_response_time" ? ms(c.value) : String(c.value);
    lines.push(`| ${c.label} (${c.threshold}) | ${value} | ${mark(c)} |`);
  }
  lines.push(
    `| Replies over the limit | ${m.responseTime.count === 0 ? "n/a" : m.slowReplies.count} | ${mark({ state: m.responseTime.count === 0 ? "not_measured" : m.slowReplies.count === 0 ? "pass" : "fail", why: r.labels.notMeasured.performant })} |`,
  );
  lines.push(...releaseLines(r));
  lines.push("", ...costLines(r));
  const q = r.qualityChecks;
  lines.push(
    "",
    "## Bot Response Quality Checks",
    "",
    q.judged === 0
      ? `**Quality:** not measured (${r.labels.notMeasured.quality}).`
      : `From ${q.judged} judged conversation(s) in the period. **Quality:** ${q.rating}`,
    "",
    "| Check | Conversations | Status |",
    "|-------|---------------|--------|",
  );
  for (const f of QUALITY_FLAGS)
    lines.push(
      `| ${qualityLabel(f)} | ${q.counts[f]}${q.examples[f]?.length ? ` (e.g. ${q.examples[f]!.map(mdText).join(", ")})` : ""} | ${q.judged === 0 ? "–" : q.counts[f] === 0 ? "✓" : f === "harmful" ? "✗ CRITICAL" : "✗"} |`,
    );
  lines.push("", "## Issues Encountered", "");
  if (r.redFlags.length === 0) lines.push("None.");
  for (const f of r.redFlags) lines.push(`- ${ts(f.at)} — **${f.severity.toUpperCase()}** ${f.kind}: ${outside(f.message)}`);
  lines.push("", "## Recommendations", "", ...r.recommendations.map((x) => `- ${outside(x)}`), "", "## Conclusion", "");
  const l = r.labels;
  const failed = r.checks.filter((c) => c.state === "fail").map((c) => c.label);
  lines.push(
    `**Status:** ${status}`,
    `**STABLE:** ${labelText(l.stable, l.notMeasured.stable)} · **SECURE:** ${labelText(l.secure, l.notMeasured.secure)} · **PERFORMANT:** ${labelText(l.performant, l.notMeasured.performant)} · **QUALITY:** ${labelText(l.quality, l.notMeasured.quality, "stable", "issues")}`,
    `**Production Ready:** ${r.productionReady ? "YES" : r.status === "IN_PROGRESS" ? `NO (period in progress: ${observedHours(o)})` : "NO"}`,
    `**Action Items:** ${
      r.status === "NO_DATA"
        ? "send the first events"
        : r.productionReady
          ? "none"
          : [
              failed.length ? `${failed.join(", ")} failed` : "",
              notMeasured.length ? `measure ${notMeasured.map((c) => c.label).join(", ")}` : "",
              r.status === "IN_PROGRESS" ? `wait for the period to complete (${new Date(o.since! + o.requiredMs).toISOString()})` : "",
            ]
              .filter(Boolean)
              .join("; ")
    }`,
    "",
  );
  return lines.join("\n");
}
