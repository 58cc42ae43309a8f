// One hierarchy of domain errors. None of them knows about HTTP: the error renderer
// (src/http/error-handler.ts) maps them to statuses.

export interface FieldProblem {
  field: string;
  message: string;
}

export abstract class VigilError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigError extends VigilError {
  readonly code = "config_error";
}

export class ValidationError extends VigilError {
  readonly code = "validation_error";
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends VigilError {
  readonly code = "not_found";
}

/** A method the resource does not take: a HEAD to a cron route must not run its job. */
export class MethodNotAllowedError extends VigilError {
  readonly code = "method_not_allowed";
}

export class ConflictError extends VigilError {
  readonly code = "conflict";
}

export class UnauthorizedError extends VigilError {
  readonly code = "unauthorized";
}

export class PayloadTooLargeError extends VigilError {
  readonly code = "payload_too_large";
}

export class RateLimitedError extends VigilError {
  readonly code = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Something Vigil depends on (its database, its schema) cannot serve now; the caller should retry. */
export class UnavailableError extends VigilError {
  readonly code = "unavailable";
}

/** A call to an outside service (Langfuse, the model, Slack) failed. */
export class UpstreamError extends VigilError {
  readonly code = "upstream_error";
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}

/** The message of anything thrown (a non-Error too), for logs and stored failure reasons. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
