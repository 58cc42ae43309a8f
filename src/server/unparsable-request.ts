import { randomUUID } from "node:crypto";
import { RequestError } from "@hono/node-server";
import { envelopeHeaders } from "../http/request-envelope.js";
import type { Logger } from "../log.js";

/**
 * What the local server answers when @hono/node-server cannot turn a request into a Request
 * (a request line like `GET /a\..\b`): the app never sees it, so without this it would get a
 * bare 400 with no security headers, no request id and no log line. The line's text is not
 * logged: it may carry a secret in its query string.
 */
export function answerUnparsableRequest(log: Logger) {
  return (error: unknown): Response => {
    const requestId = randomUUID();
    const malformed = error instanceof RequestError;
    const status = malformed ? 400 : 500;
    const fields = { route: "(unparsable)", status, request_id: requestId, error_type: malformed ? "unparsable_request" : "adapter_error" };
    if (malformed) log.warn("request", fields);
    else log.error("request", fields);
    const body = malformed
      ? { code: "validation_error", message: "The request line could not be parsed" }
      : { code: "internal_error", message: "Internal error" };
    return new Response(JSON.stringify({ error: { ...body, requestId } }), {
      status,
      headers: { "content-type": "application/json", ...envelopeHeaders(requestId) },
    });
  };
}
