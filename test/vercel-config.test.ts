import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runtimeMajor } from "../scripts/ensure-node.js";
import { FUNCTION_RUNTIME, VERCEL_FUNCTIONS } from "../src/deploy/functions.js";

const pro = JSON.parse(readFileSync("vercel.json", "utf8"));
const hobby = JSON.parse(readFileSync("vercel.hobby.json", "utf8"));
const pkg = JSON.parse(readFileSync("package.json", "utf8"));

describe("vercel.json", () => {
  it("schedules exactly the three crons", () => {
    expect(pro.crons).toEqual([
      { path: "/api/cron/heartbeat", schedule: "* * * * *" },
      { path: "/api/cron/monitor", schedule: "*/5 * * * *" },
      { path: "/api/cron/checkpoint", schedule: "0 */4 * * *" },
    ]);
  });

  it("builds with the Build Output API script, so no api/ directory may exist", () => {
    expect(pro.buildCommand).toBe("npm run build");
    expect(pkg.scripts.build).toContain("scripts/build-vercel.ts");
    expect(() => readFileSync("api/index.ts")).toThrow();
  });

  it("has a function for every cron path of both configs, crons with the 300 s max duration", () => {
    const paths = new Map<string, number>(VERCEL_FUNCTIONS.map((f) => [`/${f.path}`, f.maxDuration]));
    for (const cron of [...pro.crons, ...hobby.crons]) expect(paths.get(cron.path), cron.path).toBe(300);
    expect(paths.get("/api/index")).toBeLessThanOrEqual(60);
  });

  it("rewrites /, /status and every non-cron /api path to the app", () => {
    const sources = pro.rewrites.map((r: { source: string; destination: string }) => [r.source, r.destination]);
    expect(sources).toContainEqual(["/", "/api/index"]);
    expect(sources).toContainEqual(["/status", "/api/index"]);
    expect(sources).toContainEqual(["/api/:path((?!cron/).*)", "/api/index"]);
  });

  it("runs functions on the Node major that engines pins (what Vercel picks), which admits Node 20 locally", () => {
    const major = runtimeMajor(FUNCTION_RUNTIME);
    expect(pkg.engines.node).toBe(`>=20.19 <${major + 1}`);
  });
});

describe("vercel.hobby.json", () => {
  it("differs from vercel.json only in its daily crons", () => {
    expect({ ...hobby, crons: undefined }).toEqual({ ...pro, crons: undefined });
    expect(hobby.crons.map((c: { path: string }) => c.path)).toEqual(pro.crons.map((c: { path: string }) => c.path));
    for (const cron of hobby.crons) expect(cron.schedule).toMatch(/^\d+ \d+ \* \* \*$/);
  });
});
