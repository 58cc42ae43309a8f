import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

// The documentation a reader follows from the README: every relative link leads to a file that
// exists and, when it names a heading, to a heading that exists, so moving a page or renaming a
// section cannot leave a reader at a dead end.
const PAGES = [
  "README.md",
  "CONTRIBUTING.md",
  ...readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** The text outside fenced code blocks and inline code, where a link is a link. */
const prose = (markdown: string) => markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");

/** Every [text](target) and ![alt](target), its target as written. */
const linksOf = (markdown: string) => [...prose(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);

// GitHub's anchors (github-slugger, the package github.com's renderer follows): the heading's
// text lower-cased, every character that is not a letter, mark, digit, connector, space or hyphen
// dropped, spaces as hyphens, and a repeated slug suffixed -1, -2, …
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/`/g, "");
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  // An explicit anchor: <a id="…"></a> or <a name="…">.
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

/** Why a relative link from `page` does not resolve, or undefined when it does. */
function brokenLink(page: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: — not ours to check
  const [path, anchor] = target.split("#", 2) as [string, string | undefined];
  const file = path === "" ? page : normalize(join(dirname(page), decodeURIComponent(path)));
  if (file.startsWith("..")) return `${target} leaves the repository`;
  if (!existsSync(file)) return `${target}: no file ${file}`;
  if (anchor === undefined || anchor === "") return undefined;
  if (statSync(file).isDirectory() || !file.endsWith(".md")) return `${target}: an anchor into a file that is not Markdown`;
  return anchorsOf(readFileSync(file, "utf8")).has(anchor) ? undefined : `${target}: no heading #${anchor} in ${file}`;
}

// Paths the pages name that a build or a test run writes, not the repository.
const GENERATED = ["bench/.out", "test/artifacts", "test/artifacts/"];

/** The repository paths a page names in code spans (`src/…`, `test/…`), placeholders (`<job>`, `*`) aside. */
function pathsNamedIn(markdown: string): string[] {
  // architecture.md's table of names gives each file's name before its rename, which no longer exists: its last column is left out.
  const withoutFormerNames = markdown.replace(/^(\| `[^|]+` \| [^|]+ \| ).*\|$/gm, (row, kept: string) =>
    /^\| name \| what it is \| before \|$/m.test(markdown) && row.split("|").length === 5 ? kept : row,
  );
  return [...withoutFormerNames.matchAll(/`((?:src|test|fakes|demo|bench|scripts|api|bin|docs|\.ci|\.github)\/[^`\s]*)`/g)]
    .map((m) => m[1]!)
    .filter((p) => !/[<>*…]/.test(p) && !GENERATED.includes(p));
}

describe("the documentation's links", () => {
  it("reads the README, CONTRIBUTING and every page under docs/", () => {
    expect(PAGES).toEqual(expect.arrayContaining(["README.md", "CONTRIBUTING.md", "docs/architecture.md", "docs/operations.md"]));
  });

  it.each(PAGES)("every relative link in %s leads to an existing file and heading", (page) => {
    const broken = linksOf(readFileSync(page, "utf8"))
      .map((target) => brokenLink(page, target))
      .filter(Boolean);
    expect(broken).toEqual([]);
  });

  it.each(PAGES)("every file or folder %s names in code exists", (page) => {
    const names = pathsNamedIn(readFileSync(page, "utf8"));
    expect(names.filter((p) => !existsSync(p) && !existsSync(`${p}.ts`))).toEqual([]);
  });

  it("every page under docs/ can be reached from the README", () => {
    const linked = new Set(
      linksOf(readFileSync("README.md", "utf8"))
        .map((t) => t.split("#")[0]!)
        .filter((t) => t.startsWith("docs/")),
    );
    expect(PAGES.filter((p) => p.startsWith("docs/") && !linked.has(p))).toEqual([]);
  });

  it("finds GitHub's anchors: punctuation dropped, spaces as hyphens, repeats numbered", () => {
    const anchors = anchorsOf(
      '# Deploy to Vercel with Turso\n## `vercel logs` recipes\n### A → B\n## Notes\n## Notes\n```\n# not a heading\n```\n<a id="by-hand"></a>**By hand.**\n',
    );
    expect([...anchors]).toEqual(["deploy-to-vercel-with-turso", "vercel-logs-recipes", "a--b", "notes", "notes-1", "by-hand"]);
  });
});

describe("the README", () => {
  it("stays a user's guide a newcomer reads: at most 250 lines, the rest under docs/", () => {
    const lines = readFileSync("README.md", "utf8").split("\n").length;
    expect(lines).toBeLessThanOrEqual(250);
  });
});
