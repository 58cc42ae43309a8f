// `npm run build`, Vercel's buildCommand: bundles the app once into dist/vercel/ before Vercel's
// Node builder traces the thin entries in api/ (they re-export the bundle through package.json's
// "#vigil-bundle" import), then migrates the production database when this is a production build.
//
// Plain JavaScript on purpose: Vercel installs production dependencies only (esbuild is one), so
// neither tsx nor TypeScript is there to run a .ts script.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";

const started = performance.now();
const OUT = resolve("dist/vercel");

// Production builds migrate production before the deployment goes live; previews never touch it
// (docs/deploy.md, step 4). MIGRATE_ON_BUILD=never leaves migrating to CI or to you.
const target = process.env.VERCEL_ENV;
const policy = process.env.MIGRATE_ON_BUILD?.trim() || "production";
if (!["production", "always", "never"].includes(policy)) {
  console.error(`MIGRATE_ON_BUILD must be production, always or never (got "${policy}")`);
  process.exit(1);
}
const migrateHere = policy === "always" ? target !== undefined : policy === "production" && target === "production";

// zod's namespace export keeps every error-message locale (~40 languages) in the bundle; Vigil
// speaks English only, and that is a third of what a cold start must parse.
const englishOnlyZod = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(join("node_modules", "zod"))
        ? { path: join(dirname(args.importer), "../locales/en.js"), namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

rmSync(OUT, { recursive: true, force: true });
// vercel.ts outputDirectory: a build command must leave static files, and the one Vigil has
// keeps search engines off its status page and API.
rmSync("dist/public", { recursive: true, force: true });
mkdirSync("dist/public", { recursive: true });
writeFileSync("dist/public/robots.txt", "User-agent: *\nDisallow: /\n");
const result = await build({
  entryPoints: { entry: "src/vercel-entry.ts", migrate: "src/cli/db-migrate.ts" },
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outdir: OUT,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  // The native libSQL binding is a .node file: the function gets it through vercel.ts includeFiles.
  external: ["@libsql/linux-*", "@libsql/darwin-*", "@libsql/win32-*"],
  minify: true,
  // A log line names the error's class (UpstreamError, not "ie"), and the logger maps its stack
  // to src/ files through these maps (src/shared/mapped-stack.ts), which vercel.ts includeFiles ships.
  keepNames: true,
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  metafile: true,
  plugins: [englishOnlyZod],
  logLevel: "warning",
  // Bundled CommonJS dependencies still call require().
  banner: { js: "import { createRequire as __vigilRequire } from 'node:module'; const require = __vigilRequire(import.meta.url);" },
});

const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => !file.endsWith(".map"))
  .reduce((sum, [, o]) => sum + o.bytes, 0);
console.log(`bundled dist/vercel (${(bytes / 1024 / 1024).toFixed(2)} MB) in ${Math.round(performance.now() - started)} ms`);

if (migrateHere) {
  const run = spawnSync(process.execPath, [join(OUT, "migrate.mjs")], { stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
} else if (target !== undefined) {
  console.log(`no migration in this ${target} build (MIGRATE_ON_BUILD=${policy})`);
}
console.log(`build took ${Math.round(performance.now() - started)} ms`);
