import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseUnavailable } from "../db/errors.js";
import {
  ConfigError,
  ConflictError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnavailableError,
  UpstreamError,
  ValidationError,
  type VigilError,
} from "../errors.js";
import type { Logger } from "../log.js";

interface ErrorBody {
  error: { code: string; message: string; requestId: string; problems?: { field: string; message: string }[] };
}

const STATUS: [new (...args: never[]) => VigilError, ContentfulStatusCode][] = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [NotFoundError, 404],
  [MethodNotAllowedError, 405],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [RateLimitedError, 429],
  [UpstreamError, 502],
  [UnavailableError, 503],
  // A deployment missing required settings: retryable once someone sets them.
  [ConfigError, 503],
];

/** The one place errors become HTTP responses: `{ error: { code, message, requestId } }`. */
export function renderError(error: unknown, c: Context, log: Logger): Response {
  const requestId = (c.get("requestId") as string | undefined) ?? "unknown";
  const known = STATUS.find(([type]) => error instanceof type);
  if (known) {
    const err = error as VigilError;
    const body: ErrorBody = { error: { code: err.code, message: err.message, requestId } };
    if (err instanceof ValidationError && err.problems.length > 0) body.error.problems = err.problems;
    if (err instanceof RateLimitedError) c.header("Retry-After", String(err.retryAfterSeconds));
    if (known[1] >= 500) log.error("request failed", { requestId, err: error });
    return c.json(body, known[1]);
  }
  if (clientAborted(c, error)) {
    // The client hung up mid-request: nothing failed here and nobody reads the answer.
    log.warn("request aborted by client", { requestId, route: c.req.path });
    return c.json(
      { error: { code: "client_closed_request", message: "The client closed the connection", requestId } },
      CLIENT_CLOSED_REQUEST as ContentfulStatusCode,
    );
  }
  if (isDatabaseUnavailable(error)) {
    log.error("database unavailable", { requestId, err: error });
    c.header("Retry-After", "5");
    return c.json({ error: { code: "unavailable", message: "The database is unavailable; retry shortly.", requestId } }, 503);
  }
  // Internals stay in the log line, never in the body.
  log.error("unhandled error", { requestId, err: error });
  return c.json({ error: { code: "internal_error", message: "Internal server error", requestId } }, 500);
}

/** nginx's status for a request the client abandoned; never sent to anyone, it keeps logs honest. */
const CLIENT_CLOSED_REQUEST = 499;

function clientAborted(c: Context, error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE") return true;
  try {
    return c.req.raw.signal?.aborted === true;
  } catch {
    return false;
  }
}

export function renderNotFound(c: Context): Response {
  const requestId = (c.get("requestId") as string | undefined) ?? "unknown";
  return c.json({ error: { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}`, requestId } }, 404);
}
