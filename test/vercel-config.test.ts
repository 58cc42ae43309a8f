import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const config = JSON.parse(readFileSync("vercel.json", "utf8"));

describe("vercel.json", () => {
  it("schedules exactly the three crons", () => {
    expect(config.crons).toEqual([
      { path: "/api/cron/heartbeat", schedule: "* * * * *" },
      { path: "/api/cron/monitor", schedule: "*/5 * * * *" },
      { path: "/api/cron/checkpoint", schedule: "0 */4 * * *" },
    ]);
  });

  it("gives each cron path an entry file with the 300 s max duration", () => {
    expect(config.functions["api/cron/*.ts"].maxDuration).toBe(300);
    expect(config.functions["api/index.ts"].maxDuration).toBeLessThanOrEqual(60);
    for (const cron of config.crons) expect(() => readFileSync(`${cron.path.slice(1)}.ts`)).not.toThrow();
  });

  it("rewrites /status and every non-cron /api path to the app", () => {
    const sources = config.rewrites.map((r: { source: string; destination: string }) => [r.source, r.destination]);
    expect(sources).toContainEqual(["/status", "/api"]);
    expect(sources).toContainEqual(["/api/:path((?!cron/).*)", "/api"]);
  });
});
