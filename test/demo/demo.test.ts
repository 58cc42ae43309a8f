import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LangfuseClient } from "@langfuse/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Demo, startDemo } from "../../demo/run-demo.js";
import { waitFor } from "../helpers/server-process.js";
import { demoSectionsFilled } from "../helpers/demo-sections.js";
import { startFakeLangfuse } from "../../fakes/langfuse-server.js";
import { FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";

const dir = mkdtempSync(join(tmpdir(), "vigil-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the demo's conversations, served by the Langfuse fake the tests use", () => {
  it("through the real SDK: I/O as JSON strings, newest first, cursor pages to the end", async () => {
    const now = Date.parse("2026-11-23T10:00:00Z");
    const langfuse = await startFakeLangfuse({ version: "v4", now: () => now });
    const [a, b] = FIXTURES;
    const demo = { alwaysSession: true, priced: true, endMarker: true };
    const written = [...fixtureObservations(a!, now - 60 * 60_000, demo), ...fixtureObservations(b!, now - 30 * 60_000, demo)];
    langfuse.add(...written);
    const client = new LangfuseClient({ publicKey: langfuse.publicKey, secretKey: langfuse.secretKey, baseUrl: langfuse.url });
    const seen: { startTime: string; input: unknown; type: string }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.api.observations.getMany({
        fromStartTime: new Date(now - 2 * 3600_000).toISOString(),
        toStartTime: new Date(now).toISOString(),
        limit: 3,
        fields: "core,basic,io,trace_context",
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...(page.data as typeof seen));
      cursor = page.meta.cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toHaveLength(written.length);
    expect(pages).toBe(Math.ceil(seen.length / 3));
    const times = seen.map((o) => Date.parse(o.startTime));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const generation = seen.find((o) => o.type === "GENERATION")!;
    expect(typeof generation.input).toBe("string");
    expect(JSON.parse(generation.input as string)[0]).toMatchObject({ role: "system" });
    await expect(client.api.observations.getMany({ parseIoAsJson: true } as never)).rejects.toMatchObject({ statusCode: 400 });
    await langfuse.close();
  });
});

describe("npm run demo", () => {
  let demo: Demo;
  beforeAll(async () => {
    // The demo's clock is stepped one second per turn, each turn finishing its work, so what two
    // minutes of demo produce does not depend on how busy this machine is.
    demo = await startDemo({ dataDir: dir, port: 0, logLevel: "error", stepMs: 1000 });
    await waitFor(async () => (demo.clock() - demo.startedAt >= 120_000 ? true : undefined), 120_000, "two minutes of demo time");
  });
  afterAll(() => demo?.stop());

  it("fills every section of /status within two minutes of demo time", async () => {
    const html = await (
      await fetch(`${demo.baseUrl}/status`, {
        headers: { authorization: `Basic ${Buffer.from(`demo:${demo.apiKey}`).toString("base64")}` },
      })
    ).text();
    expect(demoSectionsFilled(html), "sections still empty after two demo minutes").toEqual([]);
    expect(html).toMatch(/id="verdict" class="verdict (bad|ok)"/);
  });

  it("shows the labelled conversations npm run eval judges, each judged as labelled", async () => {
    const res = await fetch(`${demo.baseUrl}/api/monitoring/results?limit=500`, { headers: { authorization: `Bearer ${demo.apiKey}` } });
    const { results } = (await res.json()) as { results: { sessionId: string; status: string; intent: { type: string } | null }[] };
    const labelled = new Map(FIXTURES.map((f) => [`sess-${f.id}`, f]));
    // The twelve conversations of the day before the demo are judged within two minutes.
    expect(results.length).toBeGreaterThanOrEqual(12);
    for (const r of results) {
      const f = labelled.get(r.sessionId);
      expect(f, `${r.sessionId} is not one of the labelled conversations`).toBeDefined();
      expect({ session: r.sessionId, status: r.status, intent: r.intent?.type ?? "unknown" }).toEqual({
        session: r.sessionId,
        status: f!.verdict,
        intent: f!.verdict === "skipped" ? "unknown" : f!.intent,
      });
    }
  });
});
