import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createVigilClient, VigilApiError } from "../../src/client/vigil-client.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, testDeps } from "../helpers/deps.js";

let t: TestDb;
let vigil: ReturnType<typeof serve>;
let proxy: Server;
let vigilUrl: string;
let proxyUrl: string;
let failuresLeft = 0;
let forwarded = 0;

// A real Vigil behind a proxy that answers 503 (or drops the connection) on demand.
beforeAll(async () => {
  t = await createTestDb();
  vigil = serve({ fetch: createApp(testDeps({ db: t.db })).fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((r) => vigil.once("listening", r));
  vigilUrl = `http://127.0.0.1:${(vigil.address() as AddressInfo).port}`;
  proxy = createServer(async (req, res) => {
    if (failuresLeft > 0) {
      failuresLeft--;
      if (failuresLeft % 2 === 0) return req.socket.destroy();
      res.writeHead(503, { "content-type": "application/json" });
      return res.end('{"error":{"code":"unavailable","message":"try later","requestId":"x"}}');
    }
    forwarded++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const upstream = await fetch(vigilUrl + req.url, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(() => {
  proxy.close();
  vigil.close();
  t.cleanup();
});

describe("createVigilClient", () => {
  it("retries 5xx and dropped connections, and the retried writes are not duplicated", async () => {
    const client = createVigilClient({ url: proxyUrl, apiKey: API_KEY, retries: 4, retryDelayMs: 5 });
    failuresLeft = 3;
    const run = await client.startOrchestration({ sessionId: "retry-1", taskDescription: "t", totalTasks: 1 });
    expect(run.sessionId).toBe("retry-1");
    failuresLeft = 2;
    await client.completeOrchestration("retry-1", { status: "completed", completedTasks: 1, failedTasks: 0 });
    const list = await client.listRuns();
    expect(list.runs.filter((r: { sessionId: string }) => r.sessionId === "retry-1")).toHaveLength(1);
    expect(forwarded).toBeGreaterThan(0);
  });

  it("is typed by the app's own routes (hc<AppType>): answers, inputs and path parameters", async () => {
    const client = createVigilClient({ url: vigilUrl, apiKey: API_KEY, retries: 0 });
    const run = await client.startOrchestration({ sessionId: "typed/1", taskDescription: "t", totalTasks: 2 });
    // npm run typecheck holds these: a handler that changes its answer changes the client's type.
    expectTypeOf(run.totalTasks).toEqualTypeOf<number>();
    expectTypeOf(run.startedAt).toEqualTypeOf<string | null>();
    const detail = await client.getRun("typed/1");
    expectTypeOf(detail.executions.inProgress).toEqualTypeOf<number>();
    expect(detail.run.sessionId, "a path parameter with a slash is encoded").toBe("typed/1");
    expect(detail.executions).toEqual({ total: 0, completed: 0, failed: 0, inProgress: 0 });
    const page = await client.listRuns({ limit: 1 });
    expectTypeOf(page.nextCursor).toEqualTypeOf<string | null>();
    expect(page.runs).toHaveLength(1);
  });

  it("does not retry a 4xx and reports it", async () => {
    const client = createVigilClient({ url: vigilUrl, apiKey: API_KEY, retries: 4, retryDelayMs: 5 });
    const error = await client.getRun("missing").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilApiError);
    expect(error).toMatchObject({ status: 404, code: "not_found" });
  });

  it("gives up after its retries with the last 5xx", async () => {
    const client = createVigilClient({ url: proxyUrl, apiKey: API_KEY, retries: 1, retryDelayMs: 5 });
    failuresLeft = 5; // a dropped connection, then a 503: one retry allowed, so the 503 is final
    const error = await client.getSystemHealth().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilApiError);
    expect(error).toMatchObject({ status: 503, code: "unavailable" });
    failuresLeft = 0;
  });
});
