import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureNode, runtimeMajor } from "../scripts/ensure-node.js";
import { copyCheckout, copyFunctionAlone, funcDirs, vercelBuild } from "../scripts/vercel-local-build.js";
import { createDb, prepareLocalDb } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";
import { fmt, percentiles, table, type BenchResult } from "./lib.js";

const RUNS = 7;

/** Bytes under a directory, source maps left out (read only when an error is logged), optionally one subdirectory (the native binding). */
function bytesIn(dir: string, skip?: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += entry.name === skip ? 0 : bytesIn(path, skip);
    else if (!entry.name.endsWith(".map")) total += statSync(path).size;
  }
  return total;
}

/** Process start → first answered request (performance.now() counts from process start). */
function timeFirstAnswer(node: string, script: string, cwd: string, env: Record<string, string>): number[] {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(node, ["--input-type=module", "-e", script], {
      cwd,
      encoding: "utf8",
      env: { PATH: process.env.PATH, LOG_LEVEL: "error", ...env },
    });
    const line = run.stdout.trim().split("\n").at(-1) ?? "";
    if (run.status !== 0 || !line.startsWith("{")) throw new Error(`cold start run failed: ${run.stderr}`);
    samples.push((JSON.parse(line) as { ms: number }).ms);
  }
  return samples;
}

export async function coldStartBenchmark(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-cold-"));
  try {
    // The artifact Vercel deploys: Vercel's own build (pinned CLI) of a fresh copy of the checkout.
    const project = join(dir, "project");
    copyCheckout(project);
    const pinned = JSON.parse(readFileSync("package.json", "utf8")).devDependencies.vercel as string;
    const build = vercelBuild(pinned, project, join(dir, "output"));
    const functions = join(build.output, "functions");
    const url = `file:${join(dir, "cold.db")}`;
    const db = createDb({ url });
    await prepareLocalDb(db, url);
    await migrate(db);
    db.close();

    const rows: (string | number)[][] = [];
    let indexP50 = Infinity;
    let largestMb = 0;
    let baselineP50 = 0;
    for (const funcDir of funcDirs(build.output)) {
      const name = relative(functions, funcDir).replace(/\.func$/, "");
      const alone = join(dir, name.replaceAll("/", "_"));
      copyFunctionAlone(build, funcDir, alone);
      const vc = JSON.parse(readFileSync(join(alone, ".vc-config.json"), "utf8")) as { runtime: string; handler: string };
      const node = ensureNode(runtimeMajor(vc.runtime));
      if (baselineP50 === 0)
        baselineP50 = percentiles(timeFirstAnswer(node, "console.log(JSON.stringify({ ms: performance.now() }))", alone, {})).p50;
      const script = `const { default: fn } = await import(${JSON.stringify(pathToFileURL(join(alone, vc.handler)).href)});
        const res = await fn.fetch(new Request("https://vigil.vercel.app/api/health"));
        await res.text();
        console.log(JSON.stringify({ ms: performance.now() }));`;
      const p = percentiles(timeFirstAnswer(node, script, alone, { TURSO_DATABASE_URL: url }));
      const codeMb = bytesIn(alone, "node_modules") / 1024 / 1024;
      const allMb = bytesIn(alone) / 1024 / 1024;
      largestMb = Math.max(largestMb, codeMb);
      if (name === "api/index") indexP50 = p.p50;
      rows.push([
        name,
        vc.runtime,
        `${fmt(codeMb, 2)} MB`,
        `${fmt(allMb, 1)} MB`,
        `${fmt(p.p50, 0)} ms`,
        `${fmt(p.max, 0)} ms`,
        fmt(p.p50 / baselineP50, 2),
      ]);
    }

    // The figure BENCHMARKS.md used to report: the local server, which Vercel never runs.
    const local = percentiles(
      timeFirstAnswer(
        process.execPath,
        `process.env.TURSO_DATABASE_URL = ${JSON.stringify(url)};
         const { createApp } = await import(${JSON.stringify(pathToFileURL(resolve("src/app.ts")).href)});
         const { depsFromEnv } = await import(${JSON.stringify(pathToFileURL(resolve("src/deps.ts")).href)});
         const { loadEnv } = await import(${JSON.stringify(pathToFileURL(resolve("src/env.ts")).href)});
         const res = await createApp(depsFromEnv(loadEnv())).fetch(new Request("http://localhost/api/health"));
         await res.text();
         console.log(JSON.stringify({ ms: performance.now() }));`,
        resolve("."),
        { NODE_OPTIONS: "--import tsx" },
      ),
    );
    return {
      title: "Cold start of the deployed functions",
      lines: [
        `What \`vercel build\` (CLI ${pinned}) makes of the \`api/\` entries over the one bundle, each function copied alone and imported by a fresh Node process of the runtime its \`.vc-config.json\` names; it answers \`GET /api/health\` against a migrated libSQL file. ${RUNS} runs each. Baseline: the same Node printing \`performance.now()\` and exiting (${fmt(baselineP50, 0)} ms); the ratio is p50 / baseline.`,
        "",
        ...table(
          ["function", "runtime", "code (no native binding)", "with native binding", "start → first answer, p50", "max", "× bare Node"],
          rows,
        ),
        "",
        `Side by side: the app loaded from TypeScript sources as the local server does (\`tsx\`, Node ${process.version}): p50 ${fmt(local.p50, 0)} ms, max ${fmt(local.max, 0)} ms. `,
      ],
      goals: [
        { goal: "api/index cold start < 150 ms", met: indexP50 < 150, measured: `${fmt(indexP50, 0)} ms` },
        { goal: "function code < 3 MB (before native bindings)", met: largestMb < 3, measured: `${fmt(largestMb, 2)} MB` },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
