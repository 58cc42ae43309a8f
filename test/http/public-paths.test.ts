import { describe, expect, it } from "vitest";
import { needsApiKey } from "../../src/http/public-paths.js";
import { ROUTES } from "../../src/http/route-table.js";

// The API-key guard reads each route's declared credential: the same table the auth matrix and
// the OpenAPI document are generated from.
const concrete = (path: string) => path.replace(/:\w+/g, "some-id");

describe("needsApiKey, from the route table", () => {
  it("asks for the API key on exactly the /api routes declared with it", () => {
    for (const r of ROUTES.filter((x) => x.path.startsWith("/api/"))) {
      expect(needsApiKey(concrete(r.path)), `${r.method} ${r.path} (${r.auth})`).toBe(r.auth === "apiKey");
    }
  });

  it("asks for it on unknown /api paths, and never outside /api", () => {
    expect(needsApiKey("/api/nothing-here")).toBe(true);
    expect(needsApiKey("/api/webhooks/bot/extra")).toBe(true);
    expect(needsApiKey("/api/healthx")).toBe(true);
    expect(needsApiKey("/status")).toBe(false);
    expect(needsApiKey("/")).toBe(false);
  });
});
