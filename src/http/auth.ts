import type { MiddlewareHandler } from "hono";
import { UnauthorizedError } from "../errors.js";
import type { Logger } from "../log.js";
import { secretsEqual } from "../security/constant-time.js";

/**
 * Requires `Authorization: Bearer <secret>`. A deployment without the secret refuses every
 * call (never open by default) and says why once in the log.
 */
export function requireBearer(secret: string | undefined, variable: string, log: Logger): MiddlewareHandler {
  let warned = false;
  return async (c, next) => {
    if (!secret) {
      if (!warned) {
        warned = true;
        log.warn("secret not configured: refusing calls", { variable, route: c.req.path });
      }
      throw new UnauthorizedError(`${variable} is not configured on this deployment, so this endpoint is disabled`);
    }
    const given = bearerToken(c.req.header("authorization"));
    if (given === undefined || !secretsEqual(given, secret)) {
      throw new UnauthorizedError("Missing or invalid bearer token");
    }
    await next();
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return match?.[1]?.trim();
}
