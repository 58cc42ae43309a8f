import { afterAll, beforeAll } from "vitest";
import { startUpstash, type UpstashRestServer } from "../../fakes/upstash-rest-server.js";
import { createTestDb, type TestDb } from "./db.js";

/**
 * One libSQL file and one Upstash REST server (in front of a real redis-server) for the whole
 * file, started before its tests and stopped after them; read its fields inside tests and hooks.
 */
export function dbAndUpstash(): { readonly t: TestDb; readonly upstash: UpstashRestServer } {
  let t: TestDb | undefined;
  let upstash: UpstashRestServer | undefined;
  beforeAll(async () => {
    t = await createTestDb();
    upstash = await startUpstash();
  });
  afterAll(async () => {
    await upstash?.close();
    t?.cleanup();
  });
  return {
    get t() {
      return t!;
    },
    get upstash() {
      return upstash!;
    },
  };
}
