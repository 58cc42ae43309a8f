import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, prepareLocalDb } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";

// The local database holds conversations and run details beside a 0600 secrets file: owner-only too.
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(process.platform === "win32")("the embedded database's files", () => {
  it("are created 0600 (the database, its -wal and -shm) in a folder created 0700", async () => {
    dir = mkdtempSync(join(tmpdir(), "vigil-modes-"));
    const path = join(dir, "data", "vigil.db");
    const db = createDb({ url: `file:${path}` });
    await prepareLocalDb(db, `file:${path}`);
    await migrate(db);
    expect(mode(join(dir, "data"))).toBe("700");
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(mode(file), file).toBe("600");
    db.close();
  });

  it("are narrowed to 0600 when an older version left them 0644", async () => {
    dir = mkdtempSync(join(tmpdir(), "vigil-modes-"));
    const path = join(dir, "vigil.db");
    writeFileSync(path, "");
    writeFileSync(`${path}-wal`, "");
    chmodSync(path, 0o644);
    chmodSync(`${path}-wal`, 0o644);
    const db = createDb({ url: `file:${path}` });
    expect(mode(path)).toBe("600");
    expect(mode(`${path}-wal`)).toBe("600");
    db.close();
  });
});
