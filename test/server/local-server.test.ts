import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServer, waitFor } from "../helpers/server-process.js";

const dir = mkdtempSync(join(tmpdir(), "vigil-server-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the local server (npm run dev)", () => {
  it("creates its database, beats, serves health, and exits 0 on SIGTERM", async () => {
    const dbFile = join(dir, "nested", "vigil.db");
    // Keys configured, so no first-run banner: every line is a log line.
    const server = await startServer({
      TURSO_DATABASE_URL: `file:${dbFile}`,
      VIGIL_API_KEY: "local-server-test-key-0001",
      WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      CRON_SECRET: "local-server-test-cron-0001",
    });
    expect(existsSync(dbFile)).toBe(true);

    const health = await waitFor(
      async () => {
        const res = await fetch(`${server.baseUrl}/api/health`);
        return res.status === 200 ? await res.json() : undefined;
      },
      10_000,
      "a healthy heartbeat",
    );
    expect(health).toMatchObject({ status: "ok", db: "ok" });
    // The scheduler called the cron route with the cron secret, as Vercel would. Health turns ok as
    // soon as the run is recorded, before the route's access line is written and read from the pipe.
    await waitFor(
      async () => server.lines.find((l) => l.includes('"path":"/api/cron/heartbeat"') && l.includes('"status":200')),
      5000,
      "the heartbeat's access line",
    );
    // Every line is a JSON object.
    for (const line of server.lines) expect(() => JSON.parse(line), line).not.toThrow();

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });

  it("answers a request line the adapter cannot parse with the envelope's headers and one log line", async () => {
    const server = await startServer({
      TURSO_DATABASE_URL: `file:${join(dir, "unparsable.db")}`,
      VIGIL_API_KEY: "local-server-test-key-0002",
      WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      CRON_SECRET: "local-server-test-cron-0002",
      LOCAL_SCHEDULER: "false",
    });
    const { port } = new URL(server.baseUrl);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () =>
        socket.write("GET /api/x\\..\\..\\api/jobs?key=s3cr3t-in-query HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      );
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw.toLowerCase()).toContain("x-content-type-options: nosniff");
    const id = /x-request-id: ([0-9a-f-]{36})/i.exec(raw)?.[1];
    expect(id).toBeDefined();
    const line = await waitFor(async () => server.lines.find((l) => l.includes(id!)), 5000, "the request's log line");
    expect(JSON.parse(line)).toMatchObject({ msg: "request", status: 400, error_type: "unparsable_request" });
    expect(server.lines.join("\n")).not.toContain("s3cr3t-in-query");
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it("fails at start naming the invalid variable", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
      env: { ...process.env, PORT: "not-a-port", TURSO_DATABASE_URL: `file:${join(dir, "x.db")}` },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain("PORT");
  });
});

describe("the Vercel entry point", () => {
  it("answers through the exported fetch handler", () => {
    const url = `file:${join(dir, "entry.db")}`;
    const script = `
      const { createDb } = await import("./src/db/client.ts");
      const { migrate } = await import("./src/db/migrate.ts");
      const db = createDb({ url: process.env.TURSO_DATABASE_URL });
      await migrate(db);
      const entry = (await import("./src/vercel-entry.ts")).default;
      const beat = await entry.fetch(new Request("http://vigil.test/api/cron/heartbeat", { headers: { authorization: "Bearer " + process.env.CRON_SECRET } }));
      const health = await entry.fetch(new Request("http://vigil.test/api/health"));
      console.log(JSON.stringify({ beat: beat.status, health: health.status }));
    `;
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      env: { ...process.env, TURSO_DATABASE_URL: url, CRON_SECRET: "entry-test-cron-secret" },
      encoding: "utf8",
    });
    const last = result.stdout.trim().split("\n").at(-1) ?? "";
    expect(JSON.parse(last), result.stderr).toEqual({ beat: 200, health: 200 });
  });
});
