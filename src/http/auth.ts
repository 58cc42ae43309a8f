import { ipAddress } from "@vercel/functions";
import type { Context, MiddlewareHandler } from "hono";
import type { HttpSettings } from "./context.js";
import { RateLimitedError, UnauthorizedError } from "../errors.js";
import type { Logger } from "../log.js";
import { createFailureThrottle, type FailureThrottle } from "./address-limiter.js";
import { secretsEqual } from "../security/constant-time.js";

// One per deployment's settings in this instance: the API, the cron route and the status page
// share it, so a guesser cannot spread its tries over them.
const throttles = new WeakMap<HttpSettings, FailureThrottle>();

type AuthContext = { clock: () => number; settings: { http: HttpSettings } };

/**
 * Checks a key with wrong keys throttled per client address (AUTH_FAILURES_PER_MINUTE): over the
 * limit, 429 before the key is compared. Without an address (no x-real-ip: not on Vercel) no
 * address can be told from another, so nothing is throttled rather than everyone at once.
 */
async function checkKeyThrottled(deps: AuthContext, c: Context, matches: () => boolean): Promise<boolean> {
  let throttle = throttles.get(deps.settings.http);
  if (!throttle) {
    throttle = createFailureThrottle({ perMinute: deps.settings.http.authFailuresPerMinute, clock: deps.clock });
    throttles.set(deps.settings.http, throttle);
  }
  const address = ipAddress(c.req.raw.headers);
  const wait = address === undefined ? undefined : throttle.blocked(address);
  if (wait !== undefined) throw new RateLimitedError("Too many wrong keys from this address; retry later", wait);
  const ok = matches();
  if (!ok && address !== undefined) await throttle.failed(address);
  return ok;
}

/**
 * Requires `Authorization: Bearer <secret>`. A deployment without the secret refuses every
 * call (never open by default) and says why once in the log.
 */
export function requireBearer(secret: string | undefined, variable: string, deps: AuthContext & { log: Logger }): MiddlewareHandler {
  const { log } = deps;
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
    if (!(await checkKeyThrottled(deps, c, () => given !== undefined && secretsEqual(given, secret)))) {
      throw new UnauthorizedError("Missing or invalid bearer token");
    }
    await next();
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return match?.[1]?.trim();
}

/** The API key given as the password of HTTP Basic (any user name), compared in constant time. */
function basicPasswordMatches(header: string | undefined, key: string | undefined): boolean {
  if (!key || !header?.startsWith("Basic ")) return false;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString();
  const password = decoded.slice(decoded.indexOf(":") + 1);
  return decoded.includes(":") && secretsEqual(password, key);
}

/**
 * Who sees the status page: with the API key as the HTTP Basic password, everything (true); a
 * public page (STATUS_PAGE=public) needs no key but a key given anyway is checked, its wrong tries
 * throttled, and shows only the public part (false); otherwise 401 with Basic's challenge.
 */
export async function statusPageViewer(deps: AuthContext, c: Context): Promise<boolean> {
  const { http } = deps.settings;
  const header = c.req.header("authorization");
  const authorized = header !== undefined && (await checkKeyThrottled(deps, c, () => basicPasswordMatches(header, http.apiKey)));
  if (authorized || http.statusPage === "public") return authorized;
  c.header("WWW-Authenticate", 'Basic realm="Vigil", charset="UTF-8"');
  throw new UnauthorizedError(
    http.apiKey
      ? "The status page needs the API key as the HTTP Basic password"
      : "VIGIL_API_KEY is not configured on this deployment, so the status page is disabled",
  );
}
