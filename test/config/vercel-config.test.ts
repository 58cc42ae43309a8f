import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runtimeMajor } from "../../scripts/ensure-node.js";
import { FUNCTION_RUNTIME, MAX_DURATION_SECONDS, vercelConfig } from "../../src/deploy/vercel-config.js";
import { JOB_NAMES } from "../../src/jobs/types.js";
import { parseEnv } from "../../src/env.js";
import { cronEntries } from "../../src/scheduling/schedules.js";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const pro = vercelConfig({});

describe("vercel.ts (what Vercel builds from)", () => {
  it("schedules the three crons on Pro's cadence by default", () => {
    expect(pro.crons).toEqual([
      { path: "/api/cron/heartbeat", schedule: "* * * * *" },
      { path: "/api/cron/monitor", schedule: "*/5 * * * *" },
      { path: "/api/cron/checkpoint", schedule: "0 */4 * * *" },
    ]);
  });

  it("gives Vercel exactly the schedules the running app expects, from the same variables", () => {
    const vars = { HEARTBEAT_SCHEDULE: "0 0 * * *", MONITOR_SCHEDULE: "5 0 * * *", CHECKPOINT_SCHEDULE: "10 0 * * *" };
    const hobby = vercelConfig(vars);
    const app = cronEntries(parseEnv(vars).schedules).map(({ path, schedule }) => ({ path, schedule }));
    expect(hobby.crons).toEqual(app);
    for (const cron of hobby.crons) expect(cron.schedule, cron.path).toMatch(/^\d+ \d+ \* \* \*$/);
  });

  it("schedules no Vercel cron when an external scheduler calls the jobs (Hobby at minute cadence)", () => {
    expect(vercelConfig({ CRON_SCHEDULER: "external", HEARTBEAT_SCHEDULE: "*/5 * * * *" }).crons).toEqual([]);
  });

  it("fails the build naming the variable of a schedule it cannot read", () => {
    expect(() => vercelConfig({ HEARTBEAT_SCHEDULE: "every minute" })).toThrow(/HEARTBEAT_SCHEDULE/);
    expect(() => vercelConfig({ CRON_SCHEDULER: "github" })).toThrow(/CRON_SCHEDULER/);
    expect(() => parseEnv({ MONITOR_SCHEDULE: "61 * * * *" })).toThrow(/MONITOR_SCHEDULE/);
  });

  it("ships the file ALERT_RULES_FILE names with every function, and refuses a path outside the project", () => {
    const withRules = vercelConfig({ ALERT_RULES_FILE: "./config/alerts.yaml" });
    for (const fn of Object.values(withRules.functions)) expect(fn.includeFiles).toContain(",config/alerts.yaml}");
    for (const fn of Object.values(pro.functions)) expect(fn.includeFiles).not.toContain("alerts");
    for (const bad of ["/etc/alerts.yaml", "../alerts.yaml", "config/*.yaml", "a,b.yaml"]) {
      expect(() => vercelConfig({ ALERT_RULES_FILE: bad }), bad).toThrow(/ALERT_RULES_FILE/);
    }
  });

  it("gives api/index 30 s and every cron function 300 s, and builds with the bundle script", () => {
    expect(pro.functions["api/index.ts"].maxDuration).toBe(MAX_DURATION_SECONDS.app);
    expect(pro.functions["api/cron/*.ts"].maxDuration).toBe(MAX_DURATION_SECONDS.cron);
    for (const job of JOB_NAMES) expect(readFileSync(`api/cron/${job}.ts`, "utf8")).toContain('from "#vigil-bundle"');
    expect(pkg.scripts.build).toBe("node scripts/build-vercel.mjs");
    expect(pkg.imports["#vigil-bundle"]).toEqual({ types: "./src/vercel-entry.ts", default: "./dist/vercel/entry.mjs" });
  });

  it("installs production dependencies only, the bundler among them", () => {
    expect(pro.installCommand).toMatch(/^npm install --omit=dev/);
    expect(pkg.dependencies.esbuild).toBeDefined();
  });

  it("rewrites /, /status and every non-cron /api path to the app", () => {
    const sources = pro.rewrites.map((r) => [r.source, r.destination]);
    expect(sources).toContainEqual(["/", "/api/index"]);
    expect(sources).toContainEqual(["/status", "/api/index"]);
    expect(sources).toContainEqual(["/api/:path((?!cron/).*)", "/api/index"]);
  });

  it("runs functions on the Node major that engines pins (what Vercel picks), which admits Node 20 locally", () => {
    const major = runtimeMajor(FUNCTION_RUNTIME);
    expect(pkg.engines.node).toBe(`>=20.19 <${major + 1}`);
  });
});

describe("CRON_MAX_DURATION_SECONDS on Vercel", () => {
  const base = { VERCEL: "1", TURSO_DATABASE_URL: "libsql://vigil-test.turso.io" };
  it("cannot outlive the cron functions' maxDuration: start-up names both", () => {
    expect(() => parseEnv({ ...base, CRON_MAX_DURATION_SECONDS: "900" })).toThrow(
      /CRON_MAX_DURATION_SECONDS is 900 but Vercel stops the cron functions after 300 s/,
    );
    expect(parseEnv({ ...base, CRON_MAX_DURATION_SECONDS: "300" }).CRON_MAX_DURATION_SECONDS).toBe(300);
  });
  it("is not bounded off Vercel, where no function stops the job", () => {
    expect(parseEnv({ CRON_MAX_DURATION_SECONDS: "900" }).CRON_MAX_DURATION_SECONDS).toBe(900);
  });
});
