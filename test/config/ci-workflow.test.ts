import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The workflow forks run must stay what CI runs here. Read line by line (no YAML parser is a
// dependency): every `run:` step, the runner, the Node image, and what is uploaded.
const workflow = readFileSync(".github/workflows/ci.yml", "utf8");
const lines = workflow.split("\n").filter((l) => !l.trimStart().startsWith("#"));
const values = (key: string) =>
  lines.map((l) => new RegExp(`^\\s*(?:- )?${key}:\\s*(.*)$`).exec(l)?.[1]?.trim()).filter((v): v is string => v !== undefined);

describe(".github/workflows/ci.yml", () => {
  it("runs exactly `bash .ci/run` and nothing else", () => {
    expect(values("run")).toEqual(["bash .ci/run"]);
    expect(readFileSync(".ci/run", "utf8").startsWith("#!/usr/bin/env bash")).toBe(true);
  });

  it("runs on ubuntu in a Debian container with Node 20, as .ci/run expects", () => {
    expect(values("runs-on")).toEqual(["ubuntu-latest"]);
    expect(values("image")).toEqual(["node:20-bookworm"]);
  });

  it("keeps the benchmark and soak artifacts, hidden bench/.out included, even when tests fail", () => {
    const upload = workflow.slice(workflow.indexOf("actions/upload-artifact@"));
    for (const path of ["BENCHMARKS.md", "RELIABILITY.md", "bench/.out", "test/artifacts"])
      expect(upload).toMatch(new RegExp(`^\\s+${path.replace(".", "\\.")}$`, "m"));
    expect(values("include-hidden-files")).toEqual(["true"]);
    expect(values("if-no-files-found")).toEqual(["ignore"]);
    expect(values("if")).toEqual(["always()"]);
  });
});
