import { LibsqlError } from "@libsql/client";

const UNAVAILABLE_CODES =
  /^(SQLITE_BUSY|SQLITE_LOCKED|SQLITE_CANTOPEN|SQLITE_IOERR|SQLITE_FULL|SQLITE_READONLY|CLIENT_CLOSED|SERVER_ERROR|HRANA_|HTTP_|STREAM_)/;

/** True when a database error means "try again later" rather than a bug in the statement. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof LibsqlError) return UNAVAILABLE_CODES.test(error.code);
  if (error instanceof Error) {
    const text = `${error.message} ${error.cause instanceof Error ? error.cause.message : ""}`;
    return /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|socket hang up|database is locked/i.test(text);
  }
  return false;
}
