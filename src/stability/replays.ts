import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";

/**
 * A replayed delivery, found before it can cost anything: a signed request captured once can be
 * sent again at will, so it must neither draw on its source's rate-limit budget nor, for
 * X-Signature-256 (which signs no id and no time), be stored again once retention has deleted
 * its row. Standard Webhooks deliveries need no digest table: their signed timestamp expires.
 */

/** SQL: the digest `digest` (an expression) is not remembered from a delivery retention has deleted. */
export const notRemembered = (digest: string) => `NOT EXISTS (SELECT 1 FROM webhook_replay_digests WHERE digest = ${digest})`;

/** Dedupe keys of X-Signature-256 deliveries: the sha256 of the signed body. */
export const isBodyDigest = (dedupeKey: string) => dedupeKey.startsWith("sha256:");

/** SQL: the type a remembered digest was stored as; its one argument the digest. */
export const rememberedType = "SELECT type FROM webhook_replay_digests WHERE digest = ?";

/**
 * Put in the batch that deletes the same events, with `digests` their body digests (SQL:
 * digest, type, seen_at; store/webhook-events.ts), so every body digest leaves webhook_events
 * only into the digest table.
 */
export const rememberDigests = (digests: string, args: (string | number)[]): InStatement => ({
  sql: `INSERT INTO webhook_replay_digests (digest, type, seen_at)
        ${digests}
        ON CONFLICT (digest) DO NOTHING`,
  args,
});

/** Forgets digests past the replay window; a signed body older than the window is refused as stale instead. */
export async function forgetOldDigests(db: Db, cutoff: number, options = { batchSize: 5000, maxBatches: 200 }): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < options.maxBatches; i++) {
    const rs = await db.execute({
      sql: "DELETE FROM webhook_replay_digests WHERE digest IN (SELECT digest FROM webhook_replay_digests WHERE seen_at < ? ORDER BY seen_at LIMIT ?)",
      args: [cutoff, options.batchSize],
    });
    deleted += rs.rowsAffected;
    if (rs.rowsAffected < options.batchSize) break;
  }
  return deleted;
}
