import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { apiAuth, testDeps } from "../helpers/deps.js";

// Audit finding: whole numbers in the query string and path were read by z.coerce.number(), so
// "0x10" meant 16 and "1e2" meant 100. Digits only now; anything else is a 400 naming the field.

let t: TestDb;
beforeAll(async () => (t = await createTestDb()));
afterAll(() => t.cleanup());

describe("whole numbers in queries and paths", () => {
  it.each(["0x10", "1e2", " 5", "5 ", "+5", "5.0", "-1", "0", ""])("hours=%j → 400 naming hours", async (hours) => {
    const app = createApp(testDeps({ db: t.db }));
    const res = await app.request(`/api/stats/health?hours=${encodeURIComponent(hours)}`, { headers: apiAuth });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { problems?: { field: string }[] } };
    expect(body.error.problems?.map((p) => p.field)).toContain("hours");
  });

  it("digits are read as the number they write; absent is the default", async () => {
    const app = createApp(testDeps({ db: t.db }));
    for (const [query, hours] of [
      ["?hours=16", 16],
      ["?hours=007", 7],
      ["", 24],
    ] as const) {
      const res = await app.request(`/api/stats/health${query}`, { headers: apiAuth });
      expect(res.status, query).toBe(200);
      expect(((await res.json()) as { hours: number }).hours, query).toBe(hours);
    }
  });

  it("an alert id must be digits too", async () => {
    const app = createApp(testDeps({ db: t.db }));
    expect((await app.request("/api/alerts/0x1", { headers: apiAuth })).status).toBe(400);
    expect((await app.request("/api/alerts/999", { headers: apiAuth })).status).toBe(404);
  });
});
