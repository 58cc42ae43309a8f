import { Hono } from "hono";
import type { AppContext } from "../context.js";
import { gatherStatus, parseRange } from "../../status/data.js";
import { StatusPage } from "../../status/page.js";
import type { AppEnv } from "../app-env.js";
import { statusPageViewer } from "../auth.js";
import { defineRoute, errorReply, media } from "../contract.js";

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
      const authorized = await statusPageViewer(deps, c);
      const data = await gatherStatus(deps, deps.clock(), authorized, parseRange(c.req.query("range")));
      c.header("Cache-Control", "no-store");
      // The page is HTML and inline CSS/SVG only: nothing to load, nothing to run, never framed.
      for (const [name, value] of Object.entries(STATUS_PAGE_HEADERS)) c.header(name, value);
      return c.html(<StatusPage data={data} threshold={deps.settings.stability.responseTimeMs} />);
    });
}
