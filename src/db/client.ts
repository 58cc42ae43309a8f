import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createClient, type Client } from "@libsql/client";

export type Db = Client;

export interface DbOptions {
  url: string;
  authToken?: string;
  busyTimeoutMs?: number;
}

/** Opens Turso (libsql:/https:) or the embedded file database (file:), ready for concurrent use. */
export function createDb(options: DbOptions): Db {
  const filePath = localFilePath(options.url);
  if (filePath) mkdirSync(dirname(filePath), { recursive: true });
  const db = createClient({
    url: options.url,
    authToken: options.authToken,
    // Applied to every pooled connection; remote clients ignore it.
    timeout: options.busyTimeoutMs ?? 5000,
  });
  return db;
}

/** WAL lets readers run beside the one writer; it persists in the file, so once at start is enough. */
export async function prepareLocalDb(db: Db, url: string): Promise<void> {
  if (!localFilePath(url)) return;
  await db.execute("PRAGMA journal_mode = WAL");
}

export function localFilePath(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const path = url.slice("file:".length).split("?")[0] ?? "";
  return path === "" || path === ":memory:" ? undefined : path;
}
