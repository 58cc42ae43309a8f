import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DOMAINS = [
  "src/alerts",
  "src/monitoring",
  "src/runs",
  "src/stability",
  "src/regression",
  "src/report",
  "src/job-records",
  "src/jobs",
  "src/ops",
  "src/event-log",
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.ts$/.test(name) ? [path] : [];
  });
}
const code = (file: string) => readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
const offenders = (test: (source: string) => boolean) => DOMAINS.flatMap(sources).filter((f) => test(code(f)));

// Layers point one way (STYLE.md): the domain gets its clock and settings passed in and knows nothing of HTTP.
describe("domain modules", () => {
  it("never read the machine's clock: the injected clock is passed in", () => {
    expect(offenders((s) => /\bDate\.now\b/.test(s))).toEqual([]);
  });

  it("never import the HTTP layer", () => {
    expect(offenders((s) => /from\s+"(\.\.\/)+http\//.test(s))).toEqual([]);
  });

  it("take settings objects instead of reading env in the run detectors and the notification outbox", () => {
    expect(["src/runs/detectors.ts", "src/alerts/outbox.ts"].filter((f) => /\benv\b/.test(code(f)))).toEqual([]);
  });
});

// Handlers validate, call a domain function and shape the answer (STYLE.md): SQL lives in the domains.
describe("the HTTP layer", () => {
  it("runs no SQL of its own", () => {
    const http = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? http(path) : /\.tsx?$/.test(name) ? [path] : [];
      });
    const files = http("src/http");
    expect(files.length).toBeGreaterThan(10);
    const sql = /\.(execute|batch|executeMultiple)\(|\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/i;
    expect(files.filter((f) => sql.test(code(f)))).toEqual([]);
  });
});
