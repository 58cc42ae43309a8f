import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrations } from "../../src/db/migrations/index.js";

// A table has one owner. The status page, the alert signals and the report
// call their owner's query functions instead of writing SQL against other domains' tables, so
// a column changes in one folder.

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path.endsWith("migrations") ? [] : sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const tables = [
  ...new Set(
    migrations.flatMap((m) =>
      m.statements.flatMap((s) => [...String(s).matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)\b/g)].map((x) => x[1]!)),
    ),
  ),
];
const files = sources("src").map((f) => [f, readFileSync(f, "utf8")] as const);
const foldersUsing = (table: string) => {
  const pattern = new RegExp(`\\b(FROM|JOIN|INTO|UPDATE)\\s+${table}\\b`);
  return [...new Set(files.filter(([, text]) => pattern.test(text)).map(([f]) => dirname(f)))].sort();
};

describe("table owners", () => {
  it("finds the schema's tables", () => {
    expect(tables).toEqual(expect.arrayContaining(["webhook_events", "monitoring_results", "agent_executions", "alerts", "job_runs"]));
  });

  it.each(tables)("%s is read and written from one folder only", (table) => {
    expect(foldersUsing(table).length).toBeLessThanOrEqual(1);
  });

  it("the HTTP layer and the status page touch no table themselves", () => {
    const offenders = tables.flatMap((t) =>
      foldersUsing(t)
        .filter((d) => d.startsWith("src/http") || d.startsWith("src/status"))
        .map((d) => `${d}: ${t}`),
    );
    expect(offenders).toEqual([]);
  });
});
