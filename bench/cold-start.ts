import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { createDb, prepareLocalDb } from "../src/db/client.js";
import { migrate } from "../src/db/migrate.js";
import { fmt, percentiles, table, type BenchResult } from "./lib.js";

// The native libSQL binding cannot be bundled; Vercel ships it beside the bundle.
const EXTERNAL = ["libsql", "@libsql/linux-x64-gnu", "@libsql/linux-x64-musl", "@libsql/linux-arm64-gnu", "@libsql/darwin-arm64", "@libsql/darwin-x64", "@libsql/win32-x64-msvc"];

export async function coldStartBenchmark(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-cold-"));
  try {
    // Inside the project, so the external native package resolves from node_modules as on Vercel.
    mkdirSync("bench/.out", { recursive: true });
    const outfile = resolve("bench/.out/index.mjs");
    await build({
      entryPoints: ["api/index.ts"],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      external: EXTERNAL,
      minify: true,
      logLevel: "error",
      // Bundled CommonJS dependencies still call require().
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const bytes = statSync(outfile).size;
    const url = `file:${join(dir, "cold.db")}`;
    const db = createDb({ url });
    await prepareLocalDb(db, url);
    await migrate(db);
    db.close();
    // Time from process start (performance.now() counts from it) to the first answered request.
    const script = `const { default: entry } = await import(${JSON.stringify(outfile)});
      const res = await entry.fetch(new Request("http://vigil.local/api/health"));
      await res.text();
      console.log(JSON.stringify({ ms: performance.now(), status: res.status }));`;
    const samples: number[] = [];
    let status = 0;
    for (let i = 0; i < 7; i++) {
      const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        env: { ...process.env, TURSO_DATABASE_URL: url, LOG_LEVEL: "error" },
        cwd: resolve("."),
        encoding: "utf8",
      });
      const line = run.stdout.trim().split("\n").at(-1) ?? "";
      if (run.status !== 0 || !line.startsWith("{")) throw new Error(`cold start run failed: ${run.stderr}`);
      const parsed = JSON.parse(line) as { ms: number; status: number };
      samples.push(parsed.ms);
      status = parsed.status;
    }
    const p = percentiles(samples);
    const mb = bytes / 1024 / 1024;
    return {
      title: "Cold start",
      lines: [
        "`api/index.ts` bundled by esbuild (ESM, minified, the native libSQL binding external); a fresh `node` process imports it and answers `GET /api/health`. Seven runs.",
        "",
        ...table(["bundle size", "process start → first answer, p50", "max", "answer"], [[`${fmt(mb, 2)} MB`, `${fmt(p.p50, 0)} ms`, `${fmt(p.max, 0)} ms`, status]]),
      ],
      goals: [
        { goal: "cold start < 300 ms", met: p.p50 < 300, measured: `${fmt(p.p50, 0)} ms` },
        { goal: "bundle < 3 MB", met: mb < 3, measured: `${fmt(mb, 2)} MB` },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
