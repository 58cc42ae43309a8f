// A strict reader of Prometheus' text exposition format 0.0.4, written from its specification
// (prometheus.io/docs/instrumenting/exposition_formats, "Text format details"): it throws on
// anything the format does not allow, where Prometheus itself would refuse the scrape or
// silently mis-read it — a sample before its family's TYPE, a family split in two, a second
// HELP or TYPE, an unknown type, a bad metric or label name, an escape other than \\ \" \n in
// a label value, a duplicate series, a histogram without +Inf, with decreasing buckets or with
// _count unlike its +Inf bucket, a counter below zero, a missing final line feed.

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface ParsedFamily {
  name: string;
  type: string;
  help: string | undefined;
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, string[]> = { histogram: ["_bucket", "_sum", "_count"], summary: ["_sum", "_count", ""] };

function parseValue(text: string, where: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `line` at `i`; returns the labels and the index after `}`. */
function readLabels(line: string, start: number, where: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (line[i] === "}") return [labels, i + 1];
    const eq = line.indexOf("=", i);
    if (eq < 0) throw new Error(`${where}: label without "="`);
    const name = line.slice(i, eq);
    if (!LABEL_NAME.test(name) || name.startsWith("__")) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (line[eq + 1] !== '"') throw new Error(`${where}: label ${name} value is not quoted`);
    let value = "";
    let j = eq + 2;
    for (;;) {
      const c = line[j];
      if (c === undefined) throw new Error(`${where}: unterminated value of ${name}`);
      if (c === '"') break;
      if (c === "\\") {
        const next = line[j + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else throw new Error(`${where}: bad escape \\${next} in ${name}`);
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    labels[name] = value;
    i = j + 1;
    if (line[i] === ",") i++;
    else if (line[i] !== "}") throw new Error(`${where}: expected "," or "}" after ${name}`);
  }
}

const unescapeHelp = (text: string, where: string) =>
  text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    throw new Error(`${where}: bad escape in HELP`);
  });

export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith("\n")) throw new Error("the last line must end with a line feed");
  const families = new Map<string, ParsedFamily>();
  const closed = new Set<string>();
  let current: ParsedFamily | undefined;
  const seen = new Set<string>();
  const enter = (name: string, where: string) => {
    if (current?.name === name) return current;
    if (closed.has(name) || families.has(name)) throw new Error(`${where}: family ${name} appears in two places`);
    if (current) closed.add(current.name);
    current = { name, type: "untyped", help: undefined, samples: [] };
    families.set(name, current);
    return current;
  };
  text
    .slice(0, -1)
    .split("\n")
    .forEach((raw, n) => {
      const where = `line ${n + 1}`;
      if (raw.includes("\r")) throw new Error(`${where}: carriage return`);
      const line = raw.trim();
      if (line === "") return;
      if (line.startsWith("#")) {
        const m = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
        if (!m) return; // an ordinary comment
        const [, kind, name, rest = ""] = m;
        if (!METRIC_NAME.test(name!)) throw new Error(`${where}: bad metric name ${name}`);
        const f = enter(name!, where);
        if (f.samples.length) throw new Error(`${where}: ${kind} of ${name} after its samples`);
        if (kind === "HELP") {
          if (f.help !== undefined) throw new Error(`${where}: second HELP for ${name}`);
          f.help = unescapeHelp(rest, where);
        } else {
          if ((f as ParsedFamily & { typed?: true }).typed) throw new Error(`${where}: second TYPE for ${name}`);
          if (!TYPES.has(rest.trim())) throw new Error(`${where}: unknown type ${rest}`);
          f.type = rest.trim();
          (f as ParsedFamily & { typed?: true }).typed = true;
        }
        return;
      }
      const nameEnd = line.search(/[{\s]/);
      if (nameEnd < 0) throw new Error(`${where}: sample without a value`);
      const name = line.slice(0, nameEnd);
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      const [labels, i] = line[nameEnd] === "{" ? readLabels(line, nameEnd, where) : [{}, nameEnd];
      const tokens = line.slice(i).trim().split(/\s+/);
      if (tokens.length < 1 || tokens.length > 2 || tokens[0] === "")
        throw new Error(`${where}: expected a value and an optional timestamp`);
      if (tokens[1] !== undefined && !/^-?\d+$/.test(tokens[1])) throw new Error(`${where}: bad timestamp`);
      const value = parseValue(tokens[0]!, where);
      const family =
        current && (name === current.name || (SUFFIXES[current.type] ?? []).some((s) => name === current!.name + s))
          ? current
          : enter(name, where);
      if (family.type === "counter" && !(value >= 0)) throw new Error(`${where}: counter ${name} is ${value}`);
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (seen.has(key)) throw new Error(`${where}: duplicate series ${key}`);
      seen.add(key);
      family.samples.push({ name, labels, value });
    });
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

function checkHistogram(f: ParsedFamily) {
  const series = new Map<string, ParsedSample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    if (buckets.some((b) => b.labels.le === undefined)) throw new Error(`${f.name}${key}: bucket without le`);
    const les = buckets.map((b) => parseValue(b.labels.le!, f.name));
    if (les.at(-1) !== Infinity) throw new Error(`${f.name}${key}: no le="+Inf" bucket last`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(les[i]! > les[i - 1]!)) throw new Error(`${f.name}${key}: le not increasing`);
      if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${f.name}${key}: buckets not cumulative`);
    }
    const count = samples.find((s) => s.name === `${f.name}_count`);
    const sum = samples.find((s) => s.name === `${f.name}_sum`);
    if (!count || !sum) throw new Error(`${f.name}${key}: _sum or _count missing`);
    if (count.value !== buckets.at(-1)!.value)
      throw new Error(`${f.name}${key}: _count ${count.value} ≠ +Inf bucket ${buckets.at(-1)!.value}`);
  }
}
