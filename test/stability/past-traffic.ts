import type { Db } from "../../src/db/client.js";
import { catchUpRollups } from "../../src/stability/rollup-catch-up.js";

/**
 * Past traffic of source "bot", stored as the webhook would have stored it (received then), and
 * counted into the rollups: one exchange every `everyMs` in [from, to), replies in
 * `latencyMs`–`latencyMs + 400` ms, one error in every `errorEvery` exchanges.
 */
export async function pastTraffic(
  db: Db,
  o: { from: number; to: number; everyMs: number; tag: string; latencyMs?: number; errorEvery?: number },
) {
  const n = Math.floor((o.to - o.from) / o.everyMs);
  const [at, every, latency, errorEvery] = [o.from, o.everyMs, o.latencyMs ?? 600, o.errorEvery ?? 100];
  await db.execute({
    sql: `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
          INSERT INTO webhook_events (source, dedupe_key, type, received_at, occurred_at, latency_ms, error_type, payload)
          SELECT 'bot', ? || '-r-' || i, 'message.received', ? + i * ?, ? + i * ?, NULL, NULL, '{}' FROM seq
          UNION ALL SELECT 'bot', ? || '-s-' || i, 'response.sent', ? + i * ? + 1500, ? + i * ? + 1500, ? + (i * 37) % 400, NULL, '{}' FROM seq
          UNION ALL SELECT 'bot', ? || '-e-' || i, 'error', ? + i * ? + 1600, ? + i * ? + 1600, NULL, 'timeout', '{}' FROM seq WHERE i % ? = 7 % ?`,
    args: [n, o.tag, at, every, at, every, o.tag, at, every, at, every, latency, o.tag, at, every, at, every, errorEvery, errorEvery],
  });
  await catchUpRollups(db);
}
