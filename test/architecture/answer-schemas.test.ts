import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROUTES = "src/http/routes";
const SCHEMAS = "src/http/schemas";
const code = (file: string) => readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
const files = (dir: string) => readdirSync(dir).map((name) => join(dir, name));

// What a route answers is written once, in its resource's module under src/http/schemas/; the
// route file keeps its request schemas and handlers. A strict or open object is an answer's shape
// (requests are z.object, so an unknown query field is ignored as before).
describe("answer schemas", () => {
  it("are not built in the route files", () => {
    expect(files(ROUTES).filter((f) => /\bz\.(strictObject|looseObject)\(|\blazy\(/.test(code(f)))).toEqual([]);
  });

  it("are built on first use, never at a cold start: every export of an answer module is a lazy() builder", () => {
    const eager = files(SCHEMAS)
      .filter((f) => !f.endsWith("query.ts"))
      .flatMap((f) =>
        [...code(f).matchAll(/^export\s+(?:const|function|class|let)\s+(\w+)(\s*=\s*lazy\()?/gm)]
          .filter((m) => !m[2])
          .map((m) => `${f}: ${m[1]}`),
      );
    expect(eager).toEqual([]);
  });
});
