import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The layers of src/, lowest first: a folder (or top-level file) imports only from a lower layer or
 * its own, and no two folders import each other, even through others. Domains share one layer; the
 * composition root (`deps.ts`, which alone reads `Env` and builds each domain's context, and `app.ts`) sits
 * above everything it composes, so a domain that imports `Env` or `Deps` is an import against it.
 */
const LAYERS: string[][] = [
  ["shared", "errors", "time", "version"],
  ["security"],
  ["log"],
  ["db"],
  ["integrations"],
  ["job-records"],
  ["scheduling"],
  ["deploy"],
  ["event-log", "monitoring", "stability", "regression", "runs", "alerts", "ops"],
  ["report"],
  ["jobs"],
  ["status", "prometheus"],
  ["http"],
  ["env"],
  ["settings", "deps", "app", "features"],
  ["server", "cli", "client", "demo", "vercel-entry"],
];

const SRC = resolve("src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every module specifier a file names: static and type-only imports, re-exports, `import()` and `import("…").T`. */
function imports(file: string, text: string): { spec: string; typeOnly: boolean }[] {
  const found: { spec: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedTypes =
        !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly) && !clause?.name;
      found.push({ spec: node.moduleSpecifier.text, typeOnly: !!clause?.isTypeOnly || allNamedTypes });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ spec: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS));
  return found;
}
const specifiers = (file: string, text: string) => imports(file, text).map((i) => i.spec);

/** The folder under src/ a file belongs to; a file directly in src/ is its own unit. */
const unitOf = (file: string) => {
  const parts = relative(SRC, file).split("/");
  return parts.length === 1 ? parts[0]!.replace(/\.tsx?$/, "") : parts[0]!;
};

interface Edge {
  from: string;
  to: string;
  via: string;
}

/** Imports between files of src/: static and dynamic, and with `types` the type-only ones (erased at run time) too. */
function fileGraph({ types }: { types: boolean }): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const targets = new Set<string>();
    for (const { spec, typeOnly } of imports(file, readFileSync(file, "utf8"))) {
      if ((typeOnly && !types) || !spec.startsWith(".")) continue;
      const base = resolve(dirname(file), spec).replace(/\.js$/, "");
      const target = [`${base}.ts`, `${base}.tsx`].find((c) => existsSync(c));
      if (target && !relative(SRC, target).startsWith("..")) targets.add(relative(SRC, target));
    }
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** Imports between folders of src/ (an import leaving src/, like package.json or a package, is not an edge). */
function folderEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const spec of specifiers(file, readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const base = resolve(dirname(file), spec).replace(/\.js$/, "");
      const target = [`${base}.ts`, `${base}.tsx`, join(base, "index.ts")].find((c) => existsSync(c));
      if (!target || relative(SRC, target).startsWith("..")) continue;
      const [from, to] = [unitOf(file), unitOf(target)];
      if (from !== to) edges.push({ from, to, via: `${relative(SRC, file)} → ${spec}` });
    }
  }
  return edges;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

const layerOf = (unit: string) => LAYERS.findIndex((layer) => layer.includes(unit));

describe("folder layers of src/", () => {
  const edges = folderEdges();

  it("names every folder of src/ in exactly one layer", () => {
    const units = [...new Set(sourceFiles(SRC).map(unitOf))].sort();
    expect(units.filter((u) => layerOf(u) === -1)).toEqual([]);
    expect(LAYERS.flat().filter((u, i, all) => all.indexOf(u) !== i)).toEqual([]);
  });

  it("imports only downward: type-only, re-exported and dynamic imports count", () => {
    const against = edges.filter((e) => layerOf(e.to) > layerOf(e.from)).map((e) => `${e.from} → ${e.to} (${e.via})`);
    expect(against).toEqual([]);
  });

  it("has no cycle between folders", () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) graph.set(e.from, (graph.get(e.from) ?? new Set()).add(e.to));
    expect(findCycle(graph)?.join(" → ")).toBeUndefined();
  });

  it("has no runtime cycle between files, dynamic imports included", () => {
    expect(findCycle(fileGraph({ types: false }))?.join(" → ")).toBeUndefined();
  });

  it("has no cycle between files even through type-only imports: a shared type lives in the lower module", () => {
    expect(findCycle(fileGraph({ types: true }))?.join(" → ")).toBeUndefined();
  });

  it("sees every kind of import", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      'export { c } from "./c.js";',
      'export type * from "./d.js";',
      'const e = await import("./e.js");',
      'let f: import("./f.js").F;',
      "// import { g } from './g.js';",
      'import { type H } from "./h.js";',
      'import { type I, i } from "./i.js";',
    ].join("\n");
    expect(imports("x.ts", text)).toEqual([
      { spec: "./a.js", typeOnly: false },
      { spec: "./b.js", typeOnly: true },
      { spec: "./c.js", typeOnly: false },
      { spec: "./d.js", typeOnly: true },
      { spec: "./e.js", typeOnly: false },
      { spec: "./f.js", typeOnly: true },
      { spec: "./h.js", typeOnly: true },
      { spec: "./i.js", typeOnly: false },
    ]);
  });

  it("the detector finds a cycle when there is one", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
    ]);
    expect(findCycle(graph)).toEqual(["a", "b", "c", "a"]);
  });
});
