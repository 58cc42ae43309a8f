import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../../src/app.js";
import { parseInput } from "../../src/shared/parse-input.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, testDeps, testEnv } from "../helpers/deps.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());

// The renderer is exercised through routes mounted on the real app.
function appWithProbeRoutes() {
  const deps = testDeps({ db: t.db, env: testEnv({ BODY_LIMIT_BYTES: "2048" }) });
  const app = createApp(deps);
  app.get("/api/probe/validate", (c) =>
    c.json(parseInput(z.object({ hours: z.coerce.number().int().positive() }), c.req.query(), "query")),
  );
  app.post("/api/probe/echo", async (c) => c.json({ size: (await c.req.text()).length }));
  app.get("/api/probe/crash", () => {
    throw new Error("internal detail: password=hunter2 at /srv/db.ts:42");
  });
  return { app, deps };
}

describe("error rendering", () => {
  it("404s in the common error shape with a request id", async () => {
    const { app } = appWithProbeRoutes();
    const res = await app.request("/api/does-not-exist", { headers: apiAuth });
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body).toEqual({ error: { code: "not_found", message: expect.any(String), requestId: expect.any(String) } });
    expect(res.headers.get("x-request-id")).toBe(body.error.requestId);
  });

  it("400s a validation failure naming the field", async () => {
    const { app } = appWithProbeRoutes();
    const res = await app.request("/api/probe/validate?hours=-3", { headers: apiAuth });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("validation_error");
    expect(body.error.message).toContain("hours");
    expect(body.error.problems[0].field).toBe("hours");
  });

  it("500s without leaking the internal message, which goes to the log", async () => {
    const { app, deps } = appWithProbeRoutes();
    const res = await app.request("/api/probe/crash", { headers: apiAuth });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).error).toEqual({ code: "internal_error", message: "Internal server error", requestId: expect.any(String) });
    expect(text).not.toContain("hunter2");
    const logged = deps.logs.records().find((r) => r.msg === "unhandled error");
    expect(logged?.level).toBe("error");
    expect(JSON.stringify(logged)).toContain("internal detail");
  });

  it("413s a body over the size limit", async () => {
    const { app } = appWithProbeRoutes();
    const res = await app.request("/api/probe/echo", { method: "POST", headers: apiAuth, body: "x".repeat(4096) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
    const ok = await app.request("/api/probe/echo", { method: "POST", headers: apiAuth, body: "x".repeat(100) });
    expect(ok.status).toBe(200);
  });

  it("sets secure headers and logs one access line per request", async () => {
    const { app, deps } = appWithProbeRoutes();
    const res = await app.request("/api/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const lines = deps.logs.records().filter((r) => r.msg === "request");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: "GET", path: "/api/health", status: expect.any(Number), request_id: expect.any(String) });
    expect(lines[0]!.duration_ms).toEqual(expect.any(Number));
  });
});
