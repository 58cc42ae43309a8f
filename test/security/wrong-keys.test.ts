import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, CRON_SECRET, testDeps, testEnv } from "../helpers/deps.js";

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());

const START = Date.UTC(2026, 10, 23, 9, 0, 5);
const world = () => {
  const deps = testDeps({ db: t.db, env: testEnv({ AUTH_FAILURES_PER_MINUTE: "10" }) });
  deps.testClock.set(START);
  return { deps, app: createApp(deps) };
};
const from = (ip: string, authorization: string) => ({ headers: { authorization, "x-real-ip": ip } });
const bearer = (key: string) => `Bearer ${key}`;
const basic = (password: string) => `Basic ${Buffer.from(`anyone:${password}`).toString("base64")}`;

describe("wrong keys are throttled per address, without Upstash", () => {
  it("after 10 wrong API keys in a minute the address gets 429, even with the right key, until the minute is over; other addresses are not affected", async () => {
    const { deps, app } = world();
    const guesses: number[] = [];
    for (let i = 0; i < 12; i++)
      guesses.push((await app.request("/api/runs", from("203.0.113.9", bearer(`guess-${i}-0123456789`)))).status);
    expect(guesses).toEqual([...Array(10).fill(401), 429, 429]);
    const right = await app.request("/api/runs", from("203.0.113.9", bearer(API_KEY)));
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await app.request("/api/runs", from("198.51.100.1", bearer(API_KEY)))).status).toBe(200);
    deps.testClock.set(START + 60_000);
    expect((await app.request("/api/runs", from("203.0.113.9", bearer(API_KEY)))).status).toBe(200);
  });

  it("counts wrong keys on the status page, the API and the cron route together", async () => {
    const { app } = world();
    for (let i = 0; i < 4; i++) expect((await app.request("/status", from("203.0.113.10", basic(`guess-${i}`)))).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await app.request("/api/runs", from("203.0.113.10", bearer(`guess-${i}`)))).status).toBe(401);
    for (let i = 0; i < 3; i++)
      expect((await app.request("/api/cron/heartbeat", from("203.0.113.10", bearer(`guess-${i}`)))).status).toBe(401);
    expect((await app.request("/status", from("203.0.113.10", basic(API_KEY)))).status).toBe(429);
    expect((await app.request("/api/cron/heartbeat", from("203.0.113.10", bearer(CRON_SECRET)))).status).toBe(429);
    expect((await app.request("/status", from("198.51.100.2", basic(API_KEY)))).status).toBe(200);
  });
});
