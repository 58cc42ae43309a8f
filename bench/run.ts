import { writeFileSync } from "node:fs";
import { coldStartBenchmark } from "./cold-start.js";
import { ingestBenchmark } from "./ingest.js";
import { ingestStepsBenchmark } from "./ingest-steps.js";
import { machine, type BenchResult } from "./lib.js";
import { monitorBenchmark } from "./monitor.js";
import { queriesBenchmark } from "./queries.js";
import { roundTripsBenchmark } from "./round-trips.js";

// `npm run bench`: every benchmark, side by side in one run, into BENCHMARKS.md. Exits non-zero
// only when a benchmark could not run — never because something was slow.
const BENCHMARKS: [string, () => Promise<BenchResult>][] = [
  ["ingest", ingestBenchmark],
  ["ingest-steps", ingestStepsBenchmark],
  ["queries", queriesBenchmark],
  ["round-trips", roundTripsBenchmark],
  ["monitor", monitorBenchmark],
  ["cold-start", coldStartBenchmark],
];

const only = process.argv.slice(2);
const started = Date.now();
const sections: string[] = [];
const goals: BenchResult["goals"] = [];
let failed = false;
for (const [name, run] of BENCHMARKS) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  try {
    const result = await run();
    sections.push(`## ${result.title}`, "", ...result.lines, "");
    goals.push(...result.goals);
    // A benchmark run alone prints its whole section (no BENCHMARKS.md is written then).
    const shown = result.lines.filter((l) => !l.startsWith("    ") && !l.startsWith("```"));
    process.stdout.write(`\n## ${result.title}\n${(only.length > 0 ? shown : shown.slice(0, 12)).join("\n")}\n`);
  } catch (error) {
    failed = true;
    sections.push(`## ${name}`, "", `Could not run: ${(error as Error).message}`, "");
    process.stderr.write(`bench: ${name} could not run: ${(error as Error).stack}\n`);
  }
}
const doc = [
  "# Benchmarks",
  "",
  `Written by \`npm run bench\` on ${machine()} in ${Math.round((Date.now() - started) / 1000)} s. Machines here are noisy: compare the ratios and the side-by-side figures of one run, not absolute numbers across runs.`,
  "",
  "## Goals",
  "",
  "| goal | measured | met |",
  "|---|---|---|",
  ...goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.met ? "✓" : "✗"} |`),
  "",
  ...sections,
].join("\n");
if (only.length === 0) writeFileSync("BENCHMARKS.md", doc);
process.stdout.write(`\n${goals.map((g) => `${g.met ? "✓" : "✗"} ${g.goal}: ${g.measured}`).join("\n")}\n`);
process.exit(failed ? 1 : 0);
