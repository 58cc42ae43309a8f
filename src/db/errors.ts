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

/**
 * True when Turso refused the credentials (HTTP 401/403: a wrong, expired or revoked
 * TURSO_AUTH_TOKEN), which no retry fixes. The client keeps the status on the HTTP error it wraps
 * (@libsql/hrana-client HttpServerError, as `cause`); over WebSocket only the message has it.
 */
export function isCredentialsRefused(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const status = (e as { status?: unknown }).status;
    if (status === 401 || status === 403) return true;
    if (/\b(HTTP status|server response:) 40[13]\b/.test(e.message)) return true;
  }
  return false;
}
