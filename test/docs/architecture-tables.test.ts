import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrations } from "../../src/db/migrations/index.js";

// docs/architecture.md lists every table under the folder that owns it. Checked against the
// migrations (every table they create is listed, none that they do not) and against the code (a
// table is listed under the folder whose files read and write it), so a new table or a move of
// its SQL cannot leave the page behind.
const page = readFileSync("docs/architecture.md", "utf8");
const section = page.slice(page.indexOf("## Tables and their owners"), page.indexOf("## Names that mean two things"));
const listed = new Map(
  [...section.matchAll(/^\| `(src\/[a-z-]+)\/` \| (.+) \|$/gm)].flatMap((m) =>
    [...m[2]!.matchAll(/`([a-z_0-9]+)`/g)].map((t) => [t[1]!, m[1]!] as const),
  ),
);

const created = [
  ...new Set(
    migrations.flatMap((m) =>
      m.statements.flatMap((s) => [...String(s).matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_0-9]+)\b/g)].map((x) => x[1]!)),
    ),
  ),
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path.endsWith("migrations") ? [] : sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}
const files = sources("src").map((f) => [f, readFileSync(f, "utf8")] as const);

describe("docs/architecture.md § Tables and their owners", () => {
  it("lists every table the migrations create, and no other", () => {
    expect([...listed.keys()].sort()).toEqual(created.sort());
  });

  it("lists each table under the folder whose code reads and writes it", () => {
    const misplaced = created.flatMap((table) => {
      const sql = new RegExp(`\\b(FROM|JOIN|INTO|UPDATE)\\s+${table}\\b`);
      const users = files.filter(([, text]) => sql.test(text)).map(([f]) => f);
      const owner = listed.get(table);
      return users.filter((f) => !owner || !f.startsWith(`${owner}/`)).map((f) => `${table}: used in ${f}, listed under ${owner}`);
    });
    expect(misplaced).toEqual([]);
  });
});
