import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { describeError } from "../../src/log.js";
import { mapStack } from "../../src/shared/mapped-stack.js";

// A minified bundle laid out as scripts/build-vercel.mjs lays out the Vercel one (dist/vercel/,
// linked maps, names kept), whose code throws a domain-style error from a named source file.
const dir = mkdtempSync(join(tmpdir(), "vigil-maps-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error as a fresh Node process sees it (vitest would map the stack itself). */
async function bundledError(): Promise<Error> {
  mkdirSync(join(dir, "src/jobs"), { recursive: true });
  writeFileSync(
    join(dir, "src/errors.ts"),
    "export class UpstreamError extends Error {\n  constructor(message: string) {\n    super(message);\n    this.name = new.target.name;\n  }\n}\n",
  );
  writeFileSync(
    join(dir, "src/jobs/monitor.ts"),
    'import { UpstreamError } from "../errors.js";\n\nexport function runMonitor(): never {\n  throw new UpstreamError("langfuse answered 503");\n}\n',
  );
  await build({
    entryPoints: [join(dir, "src/jobs/monitor.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: join(dir, "dist/vercel/chunks/chunk-X.mjs"),
    minify: true,
    keepNames: true,
    sourcemap: "linked",
    sourcesContent: false,
    logLevel: "silent",
  });
  const script = `const { runMonitor } = await import(${JSON.stringify(pathToFileURL(join(dir, "dist/vercel/chunks/chunk-X.mjs")).href)});
    try { runMonitor(); } catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, stack: e.stack })); }`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  const thrown = JSON.parse(run.stdout) as { name: string; message: string; stack: string };
  return Object.assign(new Error(thrown.message), thrown);
}

describe("errors from the Vercel bundle in a log line", () => {
  it("name their class and the src/ file and line, not a minified chunk position", async () => {
    const error = await bundledError();
    expect(error.stack).toMatch(/chunk-X\.mjs:\d+:\d+/);
    const logged = describeError(error);
    expect(logged.name).toBe("UpstreamError");
    expect(logged.stack).toMatch(/at runMonitor \(src\/jobs\/monitor\.ts:4:\d+\)/);
    expect(logged.stack).not.toContain("chunk-X.mjs");
  });

  it("leaves frames outside the bundle, and bundle frames without a map, as they are", () => {
    const stack = "Error: x\n    at f (file:///var/task/dist/vercel/chunks/missing.mjs:1:2)\n    at g (node:internal/x:3:4)";
    expect(mapStack(stack)).toBe(stack);
  });
});
