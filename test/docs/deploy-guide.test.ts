import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { vercelConfig } from "../../src/deploy/vercel-config.js";
import { parseEnv } from "../../src/env.js";
import { firesBetween, parseCron } from "../../src/shared/cron-expression.js";
import { documentedInEnvExample, variablesIn } from "../helpers/env-example.js";

// What the deploy guide tells a reader to type is what the code expects: the Install Command
// vercel.ts declares, a Hobby recipe Vercel accepts, and variables that exist.
const readme = readFileSync("README.md", "utf8");
const guide = readFileSync("docs/deploy.md", "utf8");
const DAY = 86_400_000;

describe("the deploy guide", () => {
  it("sets the Install Command vercel.ts declares, in the README and in docs/deploy.md", () => {
    const { installCommand } = vercelConfig({});
    expect(readme).toContain(`set the Install Command\n   to \`${installCommand}\``);
    expect(guide).toContain(`set the Install Command to \`${installCommand}\``);
  });

  it("gives a Hobby recipe whose crons run at most once a day and whose settings start", () => {
    const hobby = guide.slice(guide.indexOf("**Hobby**"), guide.indexOf("or keep a real cadence"));
    const vars = Object.fromEntries([...hobby.matchAll(/`([A-Z_]+)=([^`]+)`/g)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(vars).sort()).toEqual(["CHECKPOINT_SCHEDULE", "HEARTBEAT_SCHEDULE", "HEARTBEAT_STALE_SECONDS", "MONITOR_SCHEDULE"]);
    expect(() => parseEnv(vars)).not.toThrow();
    const crons = vercelConfig(vars).crons;
    expect(crons).toHaveLength(3);
    const start = Date.UTC(2026, 11, 1);
    for (const { path, schedule } of crons) expect(firesBetween(parseCron(schedule), start, start + DAY), path).toHaveLength(1);
  });

  it("names only variables .env.example documents in its table of variables", () => {
    const table = guide.slice(guide.indexOf("| variable | needed for |"), guide.indexOf("Locally, `vercel env pull`"));
    const names = variablesIn(table);
    expect(names.length).toBeGreaterThan(10);
    const missing = names.filter(({ name, prefix }) => !documentedInEnvExample(name, prefix));
    expect(missing).toEqual([]);
  });
});
