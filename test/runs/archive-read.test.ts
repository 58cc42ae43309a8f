import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { parseEnv } from "../../src/env.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { cronAuth, testDeps, testEnv } from "../helpers/deps.js";
import { call } from "../helpers/runs.js";
import { settingsFromEnv } from "../../src/settings.js";

// Seed 004 archives a finished run and (next steps) prunes old archives: here the archive is read
// back as it was written, also once run retention has deleted the run, until archive retention.
let t: TestDb;
let deps: ReturnType<typeof testDeps>;
let app: ReturnType<typeof createApp>;
beforeEach(async () => {
  t = await createTestDb();
  deps = testDeps({ db: t.db, env: testEnv({ RUN_RETENTION_DAYS: "90", ARCHIVE_RETENTION_DAYS: "365" }) });
  app = createApp(deps);
});
afterEach(() => t.cleanup());

const DAY = 86_400_000;
const checkpoint = async () => (await (await app.request("/api/cron/checkpoint", { headers: cronAuth })).json()).retention;

async function finishedRun(sessionId: string) {
  await call(app, "POST", "/api/runs", { sessionId, taskDescription: "Build and deploy", totalTasks: 1 });
  await call(app, "POST", "/api/executions", {
    agentSessionId: `${sessionId}-a`,
    agentName: "backend-agent",
    orchestrationSessionId: sessionId,
  });
  await call(app, "POST", `/api/executions/${sessionId}-a/complete`, { status: "completed", filesCreated: 3, filesModified: 5 });
  await call(app, "POST", `/api/runs/${sessionId}/complete`, { status: "completed", completedTasks: 1, failedTasks: 0 });
  await app.request("/api/cron/heartbeat", { headers: cronAuth });
}

describe("run archives", () => {
  it("read back the verified snapshot, after run retention deleted the run, until archive retention deletes it", async () => {
    await finishedRun("arch-1");
    const live = await call(app, "GET", "/api/runs/arch-1/archive");
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({
      sessionId: "arch-1",
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      run: { sessionId: "arch-1", status: "completed", startedAt: expect.stringMatching(/Z$/) },
      executions: [{ agentSessionId: "arch-1-a", filesCreated: 3, filesModified: 5 }],
    });

    deps.testClock.advance(91 * DAY);
    expect(await checkpoint()).toMatchObject({ deletedRuns: 1, deletedArchives: 0 });
    expect((await call(app, "GET", "/api/runs/arch-1")).status).toBe(404);
    const kept = await call(app, "GET", "/api/runs/arch-1/archive");
    expect(kept.status).toBe(200);
    expect(kept.body.run).toEqual(live.body.run);
    expect(kept.body.executions).toEqual(live.body.executions);
    expect((await call(app, "GET", "/api/runs/arch-1/report")).body).toMatchObject({ sessionId: "arch-1", filesCreated: 3 });

    deps.testClock.advance(275 * DAY);
    expect(await checkpoint()).toMatchObject({ deletedArchives: 1 });
    expect((await call(app, "GET", "/api/runs/arch-1/archive")).status).toBe(404);
  });

  it("keeps the archive of a run still kept hot, whatever its age", async () => {
    await finishedRun("arch-hot");
    const env = testEnv({ RUN_RETENTION_DAYS: "3000", ARCHIVE_RETENTION_DAYS: "3000" });
    await call(app, "POST", "/api/runs", { sessionId: "unrelated", taskDescription: "x", totalTasks: 1 });
    deps.testClock.advance(400 * DAY);
    const hot = createApp({ ...deps, settings: settingsFromEnv(env) });
    await hot.request("/api/cron/checkpoint", { headers: cronAuth });
    expect((await call(app, "GET", "/api/runs/arch-hot/archive")).status).toBe(200);
  });

  it("refuses a corrupted archive instead of serving it, and 404s a run never archived", async () => {
    await finishedRun("arch-bad");
    await t.db.execute(
      "UPDATE run_archives SET snapshot = replace(snapshot, '\"filesCreated\":3', '\"filesCreated\":9') WHERE session_id = 'arch-bad'",
    );
    const res = await call(app, "GET", "/api/runs/arch-bad/archive");
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain("sha256");
    expect((await call(app, "GET", "/api/runs/never/archive")).status).toBe(404);
  });

  it("ARCHIVE_RETENTION_DAYS shorter than RUN_RETENTION_DAYS stops start-up naming both", () => {
    expect(() => parseEnv({ RUN_RETENTION_DAYS: "90", ARCHIVE_RETENTION_DAYS: "30" })).toThrow(
      /ARCHIVE_RETENTION_DAYS \(30\).*RUN_RETENTION_DAYS \(90\)/,
    );
  });
});
