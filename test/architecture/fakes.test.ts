import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(tsx?|mjs)$/.test(name) ? [path] : [];
  });
}
const code = (file: string) => readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");

// A listening server outside fakes/ is either Vigil itself or one of these; anything else is a
// second copy of a protocol some fake already speaks, which drifts from the cited one.
const NOT_FAKES: Record<string, string> = {
  "src/server/start-server.ts": "Vigil's own local server",
  "bench/bare-server.ts": "the benchmark's baseline: the webhook route with nothing behind it",
  "bench/chain-server.ts": "the benchmark's middleware chain without the app",
  "bench/distant-db-server.ts": "the meters of the distant database process (the Hrana server is fakes/)",
  "test/helpers/latency-proxy.ts": "a TCP proxy adding round-trip time, protocol-blind",
  "test/server/first-run.test.ts": "holds a port so the server must pick another",
  "test/client/vigil-client.test.ts": "drops or refuses requests in front of a real Vigil",
  "test/runs/seed-tracker.test.ts": "a real Vigil over HTTP",
  "test/docs/readme-examples.test.ts": "a real Vigil over HTTP for the curl recipe of docs/local.md",
  "test/http/typed-answers.test.ts": "an in-process Hono app (app.request) holding deliberately wrong handlers",
};
const SERVER = /\bcreateServer\s*\(|\bnew\s+(SMTPServer|Hono)\b|\bserve\s*\(\s*\{/;

describe("protocol fakes", () => {
  const everywhere = ["src", "test", "bench", "scripts", "demo", "api", "fixtures"].flatMap(sources);

  it("live in fakes/ only: no other file starts a server, besides Vigil itself and the listed tools", () => {
    // src/http builds Vigil's own Hono app, which is not a fake of anything.
    const servers = everywhere.filter((f) => !f.startsWith(join("src", "http")) && f !== "src/app.ts" && SERVER.test(code(f)));
    expect(servers.filter((f) => !(f in NOT_FAKES))).toEqual([]);
    // An exception that no longer starts a server is dropped from the list.
    expect(Object.keys(NOT_FAKES).filter((f) => !servers.includes(f))).toEqual([]);
  });

  it("each name the upstream source or document its behaviour follows", () => {
    const fakes = sources("fakes");
    expect(fakes.length).toBeGreaterThan(8);
    // "owner/repo … path/file.ext" in a comment (lines joined); the verifier says it has no upstream.
    const cites = /\b[\w-]+\/[\w.-]+\b[^;]{0,80}?\b[\w/-]+\.(ts|js|rs|c|md|json)\b|no upstream/;
    const comments = (f: string) =>
      [...readFileSync(f, "utf8").matchAll(/\/\*[\s\S]*?\*\/|\/\/.*$/gm)]
        .map((m) => m[0])
        .join("\n")
        .replace(/\n\s*(\*|\/\/)?\s*/g, " ");
    expect(fakes.filter((f) => !cites.test(comments(f)))).toEqual([]);
  });

  it("stay out of the product: nothing under src/ imports fakes/, fixtures/, demo/ or test/", () => {
    const outward = /from\s+"(\.\.\/)+(fakes|fixtures|demo|test)\//;
    expect(sources("src").filter((f) => outward.test(readFileSync(f, "utf8")))).toEqual([]);
  });
});

describe("the labelled conversations", () => {
  const outside = ["src", "test", "bench", "scripts", "demo", "api", "fakes"].flatMap(sources);

  it("are one set with one scripted judge, both in fixtures/: nowhere else writes one out or recognises one in a prompt", () => {
    // A conversation written out turn by turn ("C:" for the caller) is a second set, labelled apart.
    expect(outside.filter((f) => /["'`]C:\w/.test(code(f)))).toEqual([]);
    // A script that finds a labelled conversation in the judge's prompt is a second judge.
    expect(outside.filter((f) => /\bincludes\(\s*firstCallerLine\(/.test(code(f)))).toEqual([]);
  });
});
