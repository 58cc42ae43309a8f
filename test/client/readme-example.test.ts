import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, CRON_SECRET } from "../helpers/deps.js";
import { startServer, type ServerProcess } from "../helpers/server-process.js";

// The run-tracking guide's client example, copied as a reader would, runs twice in a row.
const dir = mkdtempSync(join(tmpdir(), "vigil-readme-"));
let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({
    TURSO_DATABASE_URL: `file:${join(dir, "readme.db")}`,
    VIGIL_API_KEY: API_KEY,
    CRON_SECRET,
    LOCAL_SCHEDULER: "false",
  });
});
afterAll(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe("the run-tracking example in docs/runs.md", () => {
  it("runs twice in a row without a conflict", async () => {
    const section = readFileSync("docs/runs.md", "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!.replace("./src/client/vigil-client.js", resolve("src/client/vigil-client.ts"));
    const file = join(dir, "example.mts");
    writeFileSync(file, code);
    for (let i = 0; i < 2; i++) {
      const r = spawnSync(process.execPath, ["--import", "tsx", file], {
        env: { ...process.env, VIGIL_URL: server.baseUrl, VIGIL_API_KEY: API_KEY },
        encoding: "utf8",
      });
      expect(r.status, r.stderr).toBe(0);
      // Ids from Date.now(): a run in the same millisecond would be the same run.
      await new Promise((r) => setTimeout(r, 5));
    }
    const runs = await (await fetch(`${server.baseUrl}/api/runs`, { headers: { authorization: `Bearer ${API_KEY}` } })).json();
    expect(runs.runs.filter((r: { status: string }) => r.status === "completed")).toHaveLength(2);
  });
});
