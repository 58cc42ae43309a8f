// Prometheus' text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
// one `# HELP` and one `# TYPE` line per family before its samples, a family's samples together,
// label values with backslash, double quote and line feed escaped, HELP text with backslash and
// line feed escaped, UTF-8 and `\n` line endings, the last line ending in one too.

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string>;
export interface Sample {
  /** Appended to the family name: `_bucket`, `_sum`, `_count` for a histogram. */
  suffix?: string;
  labels: Labels;
  value: number;
}
export interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  samples: Sample[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const formatValue = (v: number) => (Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v));
const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

export function renderExposition(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${s.suffix ?? ""}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A histogram's samples from per-bucket counts (index i counts values ≤ bounds[i]; the index past
 * the last bound counts the rest): cumulative `_bucket` series ending at `+Inf`, `_sum`, `_count`.
 */
export function histogramSamples(labels: Labels, bounds: readonly number[], counts: ReadonlyMap<number, number>, sum: number): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  bounds.forEach((bound, i) => {
    cumulative += counts.get(i) ?? 0;
    samples.push({ suffix: "_bucket", labels: { ...labels, le: String(bound) }, value: cumulative });
  });
  cumulative += counts.get(bounds.length) ?? 0;
  samples.push(
    { suffix: "_bucket", labels: { ...labels, le: "+Inf" }, value: cumulative },
    { suffix: "_sum", labels, value: sum },
    { suffix: "_count", labels, value: cumulative },
  );
  return samples;
}
