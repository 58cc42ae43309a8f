import { Hono } from "hono";
import type { AppContext } from "../context.js";
import { UnauthorizedError } from "../../errors.js";
import { secretsEqual } from "../../security/constant-time.js";
import { gatherStatus, parseRange } from "../../status/data.js";
import { StatusPage } from "../../status/page.js";
import type { AppEnv } from "../app-env.js";
import { checkKeyThrottled } from "../auth.js";
import { defineRoute, errorReply, media } from "../contract.js";

/** The API key given as the password of HTTP Basic (any user name), compared in constant time. */
function basicPasswordMatches(header: string | undefined, key: string | undefined): boolean {
  if (!key || !header?.startsWith("Basic ")) return false;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString();
  const password = decoded.slice(decoded.indexOf(":") + 1);
  return decoded.includes(":") && secretsEqual(password, key);
}

const STATUS_PAGE_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

export const STATUS_ROUTES = {
  // What a person opens first, from the printed address or a bookmark.
  home: defineRoute({
    method: "GET",
    path: "/",
    auth: "public",
    tag: "Status",
    summary: "Leads to the status page",
    responses: { 302: media("text/plain", "Redirect to /status") },
  }),
  page: defineRoute({
    method: "GET",
    path: "/status",
    auth: "basic",
    tag: "Status",
    summary: "The status page (HTML)",
    responses: { 200: media("text/html", "The status page"), 401: errorReply },
  }),
};

export function statusRoutes(deps: AppContext) {
  const R = STATUS_ROUTES;
  return new Hono<AppEnv>()
    .on(R.home.method, R.home.path, (c) => c.text("Found: /status", 302, { Location: "/status" }))
    .on(R.page.method, R.page.path, async (c) => {
      const header = c.req.header("authorization");
      // A public page needs no key; a key given anyway is checked, and its wrong tries throttled.
      const authorized =
        header !== undefined && (await checkKeyThrottled(deps, c, () => basicPasswordMatches(header, deps.settings.http.apiKey)));
      if (!authorized && deps.settings.http.statusPage !== "public") {
        c.header("WWW-Authenticate", 'Basic realm="Vigil", charset="UTF-8"');
        throw new UnauthorizedError(
          deps.settings.http.apiKey
            ? "The status page needs the API key as the HTTP Basic password"
            : "VIGIL_API_KEY is not configured on this deployment, so the status page is disabled",
        );
      }
      const data = await gatherStatus(deps, deps.clock(), authorized, parseRange(c.req.query("range")));
      c.header("Cache-Control", "no-store");
      // The page is HTML and inline CSS/SVG only: nothing to load, nothing to run, never framed.
      for (const [name, value] of Object.entries(STATUS_PAGE_HEADERS)) c.header(name, value);
      return c.html(<StatusPage data={data} threshold={deps.settings.stability.responseTimeMs} />);
    });
}
