import { ROUTES } from "./route-table.js";

// Routes declared with another credential than the API key (health is public, webhooks carry
// signatures, crons carry CRON_SECRET, the status page takes Basic). Everything else under /api,
// unknown paths included, needs VIGIL_API_KEY.
const otherCredential = ROUTES.filter((r) => r.auth !== "apiKey").map(
  (r) => new RegExp(`^${r.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:\w+/g, "[^/]+")}$`),
);

export function needsApiKey(path: string): boolean {
  return path.startsWith("/api/") && !otherCredential.some((pattern) => pattern.test(path));
}
