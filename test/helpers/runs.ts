import type { App } from "../../src/app.js";
import { apiAuth } from "./deps.js";

const json = (method: string, body?: unknown) => ({
  method,
  headers: { ...apiAuth, "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

export async function call(app: App, method: string, path: string, body?: unknown) {
  const res = await app.request(path, json(method, body));
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
