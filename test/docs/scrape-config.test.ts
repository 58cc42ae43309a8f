import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, testDeps } from "../helpers/deps.js";
import { parsePrometheusText } from "../helpers/prometheus-text.js";

// The Prometheus scrape job in docs/operations.md, copied as an operator would: Prometheus sends
// `Authorization: <type> <credentials_file's content>` to metrics_path
// (prometheus.io/docs/prometheus/latest/configuration/configuration, <authorization>), and what it
// gets back must parse as the text format.
const section = readFileSync("docs/operations.md", "utf8").split("## Prometheus and Grafana")[1] ?? "";
const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

describe("the scrape config in docs/operations.md", () => {
  it("scrapes Vigil's metrics with the API key, as Prometheus would send it", async () => {
    const job = parse(block).scrape_configs[0];
    const app = createApp(testDeps({ db: t.db }));
    const res = await app.request(job.metrics_path, { headers: { authorization: `${job.authorization.type} ${API_KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("version=0.0.4");
    expect(parsePrometheusText(await res.text()).has("vigil_job_runs_total")).toBe(true);
  });
});
