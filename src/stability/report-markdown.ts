import type { PeriodMetrics } from "./metrics.js";
import { QUALITY_FLAGS } from "../monitoring/quality-counts.js";
import { qualityLabel } from "./quality-checks.js";
import type { StabilityReport } from "./report.js";

const ts = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);
const ms = (x: number | null) => (x === null ? "n/a" : `${x} ms`);
const errorsLine = (m: PeriodMetrics) =>
  m.errors === 0
    ? "0"
    : `${m.errors} (${Object.entries(m.errorsByType)
        .map(([t, n]) => `${t}: ${n}`)
        .join(", ")})`;

/** The 24-hour monitoring log a person would have written by hand, from the same report. */
export function renderStabilityMarkdown(r: StabilityReport): string {
  const m = r.metrics;
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
      `- **Notes:** ${c.redFlags.length === 0 ? "No red flags." : c.redFlags.map((f) => `${f.severity.toUpperCase()}: ${f.message}`).join("; ")}`,
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
      `| ${qualityLabel(f)} | ${q.counts[f]}${q.examples[f]?.length ? ` (e.g. ${q.examples[f]!.join(", ")})` : ""} | ${q.counts[f] === 0 ? "✓" : f === "harmful" ? "✗ CRITICAL" : "✗"} |`,
    );
  lines.push("", "## Issues Encountered", "");
  if (r.redFlags.length === 0) lines.push("None.");
  for (const f of r.redFlags) lines.push(`- ${ts(f.at)} — **${f.severity.toUpperCase()}** ${f.kind}: ${f.message}`);
  lines.push("", "## Recommendations", "", ...r.recommendations.map((x) => `- ${x}`), "", "## Conclusion", "");
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
