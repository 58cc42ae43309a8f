import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Auth } from "../../src/http/contract.js";
import { ROUTES } from "../../src/http/route-table.js";

// docs/api.md is the reference a reader keeps open: one row per route, with who may call it. It is
// checked against the route table the app, the OpenAPI document and the API-key guard are built
// from, so a route added, removed or given another credential cannot leave the page behind.
const rows = [...readFileSync("docs/api.md", "utf8").matchAll(/^\| `(GET|POST|DELETE) (\/[^`]*)` \| ([^|]+) \|/gm)].map((m) => ({
  route: `${m[1]} ${m[2]}`,
  auth: m[3]!.trim(),
}));

const CREDENTIAL: Record<Auth, RegExp> = {
  public: /^public$/,
  apiKey: /^`Bearer \$VIGIL_API_KEY`$/,
  cron: /^`Bearer \$CRON_SECRET`$/,
  signature: /^signature$/,
  basic: /^HTTP Basic, password `\$VIGIL_API_KEY`/,
};

describe("docs/api.md", () => {
  it("has one row for every route the app serves, and none for a route it does not", () => {
    const documented = rows.map((r) => r.route).sort();
    expect(documented).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("names each route's credential as the route table declares it", () => {
    const wrong = ROUTES.filter((r) => !CREDENTIAL[r.auth].test(rows.find((row) => row.route === `${r.method} ${r.path}`)?.auth ?? ""));
    expect(wrong.map((r) => `${r.method} ${r.path} (${r.auth})`)).toEqual([]);
  });
});
