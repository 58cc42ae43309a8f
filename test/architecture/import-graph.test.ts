import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** Runtime imports of every module under src/ (type-only imports vanish at run time). */
function importGraph(root: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name)) files.push(resolve(path));
    }
  };
  walk(root);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(file, "utf8");
    const targets: string[] = [];
    for (const m of source.matchAll(/^\s*(?:import|export)\s+(?!type\b)([^;]*?)\s+from\s+"(\.[^"]+)"/gm)) {
      // `import { type A, type B }` is type-only too.
      const names = m[1]!
        .replace(/^\{|\}$/g, "")
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean);
      if (m[1]!.startsWith("{") && names.every((n) => n.startsWith("type "))) continue;
      const base = resolve(dirname(file), m[2]!).replace(/\.js$/, "");
      const target = [`${base}.ts`, `${base}.tsx`].find((c) => files.includes(c));
      if (target) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
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
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("module structure", () => {
  it("has no runtime import cycle under src/", () => {
    const cycle = findCycle(importGraph("src"));
    expect(cycle?.map((f) => f.slice(resolve("src").length + 1)).join(" → ")).toBeUndefined();
  });

  it("the detector finds a cycle when there is one", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
    ]);
    expect(findCycle(graph)).toEqual(["a", "b", "c", "a"]);
  });
});
