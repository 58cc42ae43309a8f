import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { createClient, LibsqlError, type Client } from "@libsql/client";

export type Db = Client;

export interface DbOptions {
  url: string;
  authToken?: string;
  busyTimeoutMs?: number;
}

/** Opens Turso (libsql:/https:) or the embedded file database (file:), ready for concurrent use. */
export function createDb(options: DbOptions): Db {
  const filePath = localFilePath(options.url);
  if (filePath) secureLocalFiles(filePath);
  const db = createClient({
    url: options.url,
    authToken: options.authToken,
    // Applied to every pooled connection; remote clients ignore it.
    timeout: options.busyTimeoutMs ?? 5000,
  });
  return filePath ? reopenAfterBusy(db) : db;
}

/**
 * The embedded database holds conversations, error texts and run details, beside a 0600 secrets
 * file: it is made owner-only too. SQLite creates its files 0644 (less the umask) but gives the
 * -wal and -shm files the database file's own mode (sqlite3 os_unix.c, findCreateFileMode), so the
 * file is created 0600 before it is opened; files left 0644 by an older version are narrowed.
 */
function secureLocalFiles(path: string): void {
  // Folders it creates are 0700; a folder that already existed is the user's choice.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) if (existsSync(file)) chmodSync(file, 0o600);
}

/**
 * In @libsql/client 0.18, a statement that fails with SQLITE_BUSY is left un-reset on its
 * pooled connection, so every later COMMIT on that connection fails with "SQL statements in
 * progress". Reopening the pool after a busy error drops that connection. Safe because Vigil
 * holds no interactive transactions across awaits: batches run synchronously once started.
 */
function reopenAfterBusy(db: Client): Client {
  const heal = (error: unknown): never => {
    if (error instanceof LibsqlError && /^SQLITE_(BUSY|LOCKED)/.test(error.code)) void db.reconnect();
    throw error;
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === "execute" || prop === "batch") {
        return (...args: unknown[]) => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch(heal);
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** WAL lets readers run beside the one writer; it persists in the file, so once at start is enough. */
export async function prepareLocalDb(db: Db, url: string): Promise<void> {
  if (!localFilePath(url)) return;
  await db.execute("PRAGMA journal_mode = WAL");
}

function localFilePath(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const path = url.slice("file:".length).split("?")[0] ?? "";
  return path === "" || path === ":memory:" ? undefined : path;
}
