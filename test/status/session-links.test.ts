import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createLocalCallLimiter } from "../../src/integrations/call-limiter.js";
import { createLangfuseLinks } from "../../src/integrations/langfuse-links.js";
import { startFakeLangfuse, type FakeLangfuse } from "../../fakes/langfuse-server.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, apiAuth, captureLogs, testClock, testDeps } from "../helpers/deps.js";

let t: TestDb | undefined;
let lf: FakeLangfuse | undefined;
afterEach(async () => {
  await lf?.close();
  t?.cleanup();
  [t, lf] = [undefined, undefined];
});

const basic = { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString("base64")}` };
const HOSTILE = `s"><script>alert(1)</script>&x=/../`;

async function world(secretKey?: string) {
  t = await createTestDb();
  lf = await startFakeLangfuse({ version: "v4" });
  const clock = testClock();
  const logs = captureLogs();
  const links = createLangfuseLinks({
    baseUrl: `${lf.url}/`,
    publicKey: lf.publicKey,
    secretKey: secretKey ?? lf.secretKey,
    timeoutMs: 2000,
    log: logs.logger,
    clock: clock.now,
  });
  const deps = testDeps({
    db: t.db,
    clock,
    logs,
    monitoring: { source: undefined, judge: undefined, limiter: createLocalCallLimiter(60), verifier: undefined, links },
  });
  for (const [i, session] of ["conv-7", HOSTILE].entries()) {
    await t.db.execute({
      sql: "INSERT INTO monitoring_results (session_id, activity_version, intent_type, verification_status, verdict_summary, analyzed_at) VALUES (?, 1, 'book', 'fail', 'not booked', ?)",
      args: [session, clock.now() - (i + 1) * 60_000],
    });
  }
  return { app: createApp(deps), logs, clock };
}

const projectLookUps = () => lf!.requests.filter((r) => r.path === "/api/public/projects").length;

describe("links from failed conversations to their Langfuse sessions", () => {
  it("links each session under the project the keys belong to, looked up once per instance, the id encoded", async () => {
    const { app } = await world();
    for (let i = 0; i < 3; i++) {
      const page = await (await app.request("/status", { headers: basic })).text();
      expect(page).toContain(
        `<a href="${lf!.url}/project/p1/sessions/conv-7" title="Open the session in Langfuse"><code>conv-7</code></a>`,
      );
      const hostileHref = `${lf!.url}/project/p1/sessions/${encodeURIComponent(HOSTILE)}`;
      expect(page).toContain(`href="${hostileHref.replace(/&/g, "&amp;")}"`);
      expect(page).not.toContain("<script>alert(1)</script>");
    }
    const { results } = await (await app.request("/api/monitoring/results", { headers: apiAuth })).json();
    expect(results.map((r: { langfuseUrl: string }) => r.langfuseUrl)).toEqual([
      `${lf!.url}/project/p1/sessions/conv-7`,
      `${lf!.url}/project/p1/sessions/${encodeURIComponent(HOSTILE)}`,
    ]);
    expect(projectLookUps()).toBe(1);
  });

  it("without a project (keys refused) the page shows plain ids, and asks again only after five minutes", async () => {
    const { app, logs, clock } = await world("sk-lf-wrong");
    for (let i = 0; i < 3; i++) {
      const page = await (await app.request("/status", { headers: basic })).text();
      expect(page).toContain("<code>conv-7</code>");
      expect(page).not.toContain("/sessions/conv-7");
    }
    expect(projectLookUps()).toBe(1);
    const { results } = await (await app.request("/api/monitoring/results", { headers: apiAuth })).json();
    expect(results.map((r: { langfuseUrl: string | null }) => r.langfuseUrl)).toEqual([null, null]);
    expect(logs.records().filter((r) => r.msg === "langfuse project unknown: no links to sessions")).toHaveLength(1);
    clock.advance(5 * 60_000);
    await app.request("/status", { headers: basic });
    expect(projectLookUps()).toBe(2);
  });
});
