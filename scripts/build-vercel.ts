import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { build, type Plugin } from "esbuild";
import { FUNCTION_RUNTIME, VERCEL_FUNCTIONS } from "../src/deploy/functions.js";

// `npm run build`, Vercel's buildCommand: writes the Build Output API v3 directly.
//
// Why not Vercel's own Node builder over `api/*.ts`: it traces `.js` specifiers to `.ts` files
// but not to `.tsx`, so the status page was missing from every function, and its unbundled
// tree (22 MB) took ~345 ms to import. One esbuild bundle per function is what we test and
// what Vercel deploys. There is no `api/` directory on purpose: with one, Vercel's builder runs
// and replaces this output. `vercel build` merges vercel.json's crons and rewrites (or those of
// `--local-config vercel.hobby.json`) with the config.json written here, so vercel.json stays
// the one source of the schedules.

const OUTPUT = resolve(".vercel/output");
const require = createRequire(import.meta.url);

// The native libSQL binding is a .node file: it cannot be bundled, so it is copied beside the
// bundle. Vercel's functions run on x64 Linux with glibc.
const NATIVE_PACKAGES = ["@libsql/linux-x64-gnu"];

// zod's namespace export keeps every error-message locale (~40 languages) in the bundle; Vigil
// speaks English only, and that is a third of what a cold start must parse.
const englishOnlyZod: Plugin = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${join("node_modules", "zod")}`)
        ? { path: join(dirname(args.importer), "../locales/en.js"), namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

async function main() {
  rmSync(OUTPUT, { recursive: true, force: true });
  const bundleDir = resolve(".vercel/bundle");
  rmSync(bundleDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { index: "src/vercel-entry.ts" },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: bundleDir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    external: ["@libsql/linux-*", "@libsql/darwin-*", "@libsql/win32-*"],
    minify: true,
    legalComments: "none",
    metafile: true,
    plugins: [englishOnlyZod],
    logLevel: "warning",
    // Bundled CommonJS dependencies still call require().
    banner: { js: "import { createRequire as __vigilRequire } from 'node:module'; const require = __vigilRequire(import.meta.url);" },
  });

  for (const fn of VERCEL_FUNCTIONS) {
    const dir = join(OUTPUT, "functions", `${fn.path}.func`);
    mkdirSync(dir, { recursive: true });
    cpSync(bundleDir, dir, { recursive: true });
    for (const name of NATIVE_PACKAGES) copyPackage(name, join(dir, "node_modules", name));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, ".vc-config.json"),
      JSON.stringify(
        {
          runtime: FUNCTION_RUNTIME,
          handler: "index.mjs",
          launcherType: "Nodejs",
          shouldAddHelpers: false,
          supportsResponseStreaming: true,
          maxDuration: fn.maxDuration,
        },
        null,
        2,
      ),
    );
  }
  // Routes and crons come from vercel.json, merged in by `vercel build`.
  writeFileSync(join(OUTPUT, "config.json"), JSON.stringify({ version: 3 }, null, 2));
  rmSync(bundleDir, { recursive: true, force: true });

  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  console.log(`built ${VERCEL_FUNCTIONS.length} functions (${FUNCTION_RUNTIME}), bundle ${(bytes / 1024 / 1024).toFixed(2)} MB each`);
}

function copyPackage(name: string, target: string) {
  let source: string;
  try {
    source = dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new Error(
      `${name} is not installed: it is the native libSQL binding Vercel's x64 Linux functions load (npm installs it on x64 Linux)`,
    );
  }
  cpSync(source, target, { recursive: true, dereference: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
