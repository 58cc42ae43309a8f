// Routes that do not take the API key: health is public, webhooks carry signatures,
// crons carry CRON_SECRET. Everything else under /api needs VIGIL_API_KEY.
export function needsApiKey(path: string): boolean {
  if (path === "/api/health") return false;
  if (path.startsWith("/api/webhooks/") || path.startsWith("/api/cron/")) return false;
  return path.startsWith("/api/");
}
