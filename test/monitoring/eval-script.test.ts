import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../../fakes/openai-server.js";
import { fixtureJudge } from "../../fixtures/judge.js";

let openai: FakeOpenAI;
beforeAll(async () => (openai = await startFakeOpenAI({ script: fixtureJudge() })));
afterAll(() => openai.close());

describe("npm run eval", () => {
  it("measures agreement on the 30 labelled fixtures (exact with the scripted model)", async () => {
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/eval.ts"], {
        env: { ...process.env, OPENAI_API_KEY: openai.apiKey, OPENAI_BASE_URL: openai.baseURL, JUDGE_MODEL: "scripted" },
      });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Intent: 30/30 (100%). Verdict: 30/30 (100%).");
    expect(out.stdout).toContain("Injection fixtures judged pass: 0/3 (must be 0).");
    expect(out.stdout).toContain("measures the plumbing, not the judging");
    // Agreement per verdict, intent and diagnosis category.
    expect(out.stdout).toMatch(/## By verdict[\s\S]*\| partial \| 4 \| 4 \| 100% \|/);
    expect(out.stdout).toMatch(/## By intent[\s\S]*\| book \| 8 \| 8 \| 100% \|/);
    expect(out.stdout).toMatch(/## By diagnosis category[\s\S]*\| tool_error \| 3 \| 3 \| 100% \|/);
  });
});
