import { serve } from "@hono/node-server";
import { Hono } from "hono";

// The baseline: a Hono route that only reads the body and answers JSON, on the same server stack.
const app = new Hono().post("/api/webhooks/:source", async (c) => {
  const body = await c.req.arrayBuffer();
  return c.json({ received: true, bytes: body.byteLength });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
server.once("listening", () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`ready http://127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
