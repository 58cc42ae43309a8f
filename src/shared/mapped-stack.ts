import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

// The Vercel bundle (dist/vercel, scripts/build-vercel.mjs) puts minified chunk positions in a
// stack. Node's --enable-source-maps would map them, but it reads and parses every map while the
// function starts (+80 ms of a cold start, measured), so a logged error's frames are mapped here,
// each chunk's map read on first use. Without a map a frame stays as it is.
const FRAME = /((?:file:\/\/)?[^\s()]*\/dist\/vercel\/[^\s():]+\.mjs):(\d+):(\d+)/g;
const maps = new Map<string, SourceMap | null>();

export function mapStack(stack: string): string {
  if (!stack.includes("/dist/vercel/")) return stack;
  return stack.replace(FRAME, (frame, file: string, line: string, column: string) => {
    const entry = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !("originalSource" in entry)) return frame;
    // Sources are relative to the map (../../src/x.ts): the repository path is what a reader wants.
    const source = entry.originalSource.replace(/^(?:file:\/\/)?(?:\.\.\/)+/, "");
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

function mapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      const path = file.startsWith("file:") ? fileURLToPath(file) : file;
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, "utf8")));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}
