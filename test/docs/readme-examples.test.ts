import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { API_KEY, testDeps, testEnv } from "../helpers/deps.js";
import { hasProgram, optionalSuite } from "../helpers/optional-program.js";
import { signedRequest, WEBHOOK_SECRET } from "../helpers/webhooks.js";

// The examples a newcomer copies first, run as written: the event the README shows a bot
// sending, the README's report request, and docs/local.md's curl + openssl signing recipe.
const readme = readFileSync("README.md", "utf8");
const block = (text: string, after: string, lang: string) =>
  new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(text.slice(text.indexOf(after)))?.[1] ?? "";

let t: TestDb;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  t = await createTestDb();
  const deps = testDeps({ db: t.db, env: testEnv({ WEBHOOK_SECRET }) });
  // Signatures carry the real time, as a reader's shell would.
  deps.testClock.set(Date.now());
  app = createApp(deps);
});
afterAll(() => t.cleanup());

describe("the README's examples", () => {
  it("the event a bot sends is accepted as written", async () => {
    const event = block(readme, "### Send events from the bot", "json");
    const res = await app.request("/api/webhooks/bot", signedRequest(event));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, type: JSON.parse(event).type, duplicate: false });
  });

  it("the report request answers the Markdown monitoring log", async () => {
    const command = block(readme, "### HTTP API", "sh");
    const url = /"\$VIGIL_URL(\/api\/[^"]+)"/.exec(command)![1]!;
    const res = await app.request(url, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/markdown");
  });
});

const tools = optionalSuite("curl and openssl", hasProgram("curl") && hasProgram("openssl"), "apt-get install curl openssl");
describe.runIf(tools.run)(tools.title("docs/local.md's curl + openssl recipe"), () => {
  it("signs an event the server accepts", async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    try {
      const { port } = server.address() as AddressInfo;
      const recipe = block(readFileSync("docs/local.md", "utf8"), "or the same with `curl` and `openssl`", "sh").replace(
        "localhost:3000",
        `127.0.0.1:${port}`,
      );
      const keyHex = Buffer.from(WEBHOOK_SECRET.slice("whsec_".length), "base64").toString("hex");
      // Asynchronously: the server answering curl runs on this process's event loop.
      const r = await promisify(execFile)("bash", ["-c", recipe], {
        env: { ...process.env, KEY_HEX: keyHex },
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(JSON.parse(r.stdout)).toMatchObject({ received: true, type: "message.received", duplicate: false });
    } finally {
      server.close();
    }
  });
});
