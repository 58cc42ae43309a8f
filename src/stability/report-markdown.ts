import type { PeriodMetrics } from "./metrics.js";
import { QUALITY_FLAGS } from "../monitoring/quality-counts.js";
import { showControlCharacters } from "../security/control-characters.js";
import { qualityLabel } from "./quality-checks.js";
import type { StabilityReport } from "./report.js";

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
    ...r.checkpoints.flatMap((c) => Object.keys(c.metrics.errorsByType)),
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
const errorsLine = (m: PeriodMetrics) =>
  m.errors === 0
    ? "0"
    : `${m.errors} (${Object.entries(m.errorsByType)
        .map(([t, n]) => `${mdText(t)}: ${n}`)
        .join(", ")})`;

/** The 24-hour monitoring log a person would have written by hand, from the same report. */
export function renderStabilityMarkdown(r: StabilityReport): string {
  const m = r.metrics;
  const outside = escaperFor(r);
  const status = r.status === "STABLE" ? "STABLE" : r.status === "NO_DATA" ? "NO DATA YET" : "NEEDS ATTENTION";
  const mark = (pass: boolean) => (r.status === "NO_DATA" ? "–" : pass ? "✓" : "✗");
  const lines: string[] = [
    `# ${r.hours}-Hour Stability Monitoring Log`,
    "",
    `**Start:** ${ts(r.start)}`,
    `**End:** ${ts(r.end)}`,
    `**Status:** ${status}`,
    "",
    "## Checkpoint Log",
    "",
    "### Hour 0 (Start)",
    `- **Time:** ${ts(r.start)}`,
    "- **Notes:** Monitoring period begins; Vigil closes a checkpoint every 4 hours.",
    "",
  ];
  for (const c of r.checkpoints) {
    const hour = Math.round((c.windowEnd - r.start) / 3600_000);
    const cm = c.metrics;
    lines.push(
      `### Hour ${hour}`,
      `- **Time:** ${ts(c.windowEnd)} (window ${ts(c.windowStart)} – ${ts(c.windowEnd)})`,
      `- **Webhook deliveries:** ${cm.deliveries}`,
      `- **Messages processed:** ${cm.processed}`,
      `- **Signature verifications:** ${cm.signaturePassed} passed / ${cm.signatureFailures} failed`,
      `- **Errors:** ${errorsLine(cm)}`,
      `- **Response time (avg):** ${ms(cm.responseTime.avgMs)} (p95 ${ms(cm.responseTime.p95Ms)})`,
      `- **Notes:** ${c.redFlags.length === 0 ? "No red flags." : c.redFlags.map((f) => `${f.severity.toUpperCase()}: ${outside(f.message)}`).join("; ")}`,
      "",
    );
  }
  lines.push(
    `### Hour ${r.hours} (Final)`,
    `- **Time:** ${ts(r.end)}`,
    `- **Total webhook deliveries:** ${m.deliveries}`,
    `- **Total messages processed:** ${m.processed}`,
    `- **Success rate:** ${pct(m.successRate)}`,
    `- **Errors:** ${errorsLine(m)}`,
    `- **Response time (avg):** ${ms(m.responseTime.avgMs)}`,
    "",
    "## Metrics Summary",
    "",
    "| Metric | Value | Status |",
    "|--------|-------|--------|",
    `| Webhook deliveries | ${m.deliveries} | ${mark(m.deliveries > 0)} |`,
    `| Messages processed | ${m.processed} | ${mark(m.processed > 0)} |`,
  );
  for (const c of r.checks) {
    const value =
      c.name === "success_rate" || c.name === "error_rate" ? pct(c.value) : c.name === "avg_response_time" ? ms(c.value) : String(c.value);
    lines.push(`| ${c.label} (${c.threshold}) | ${value} | ${mark(c.pass)} |`);
  }
  const q = r.qualityChecks;
  lines.push(
    "",
    "## Bot Response Quality Checks",
    "",
    `From ${q.judged} judged conversation(s) in the period. **Quality:** ${q.rating}`,
    "",
    "| Check | Conversations | Status |",
    "|-------|---------------|--------|",
  );
  for (const f of QUALITY_FLAGS)
    lines.push(
      `| ${qualityLabel(f)} | ${q.counts[f]}${q.examples[f]?.length ? ` (e.g. ${q.examples[f]!.map(mdText).join(", ")})` : ""} | ${q.counts[f] === 0 ? "✓" : f === "harmful" ? "✗ CRITICAL" : "✗"} |`,
    );
  lines.push("", "## Issues Encountered", "");
  if (r.redFlags.length === 0) lines.push("None.");
  for (const f of r.redFlags) lines.push(`- ${ts(f.at)} — **${f.severity.toUpperCase()}** ${f.kind}: ${outside(f.message)}`);
  lines.push("", "## Recommendations", "", ...r.recommendations.map((x) => `- ${outside(x)}`), "", "## Conclusion", "");
  lines.push(
    `**Status:** ${status}`,
    `**Production Ready:** ${r.productionReady ? "YES" : "NO"}`,
    `**SECURE:** ${r.labels.secure ? "YES" : "NO"} · **PERFORMANT:** ${r.labels.performant ? "YES" : "NO"} · **QUALITY:** ${r.labels.quality}`,
    `**Action Items:** ${
      r.status === "NO_DATA"
        ? "send the first events"
        : r.productionReady
          ? "none"
          : `${r.checks
              .filter((c) => !c.pass)
              .map((c) => c.label)
              .join(", ")} failed`
    }`,
    "",
  );
  return lines.join("\n");
}
