import type { Migration } from "./types.js";

export const replayDigestsMigration: Migration = {
  id: 19,
  name: "webhooks: X-Signature-256 body digests kept past retention, so a capture replayed later is still a duplicate",
  statements: [
    // ~90 bytes a delivery: the dedupe key (sha256:<hex> of the signed body), its type and when it was first seen.
    "CREATE TABLE webhook_replay_digests (digest TEXT PRIMARY KEY, type TEXT NOT NULL, seen_at INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE INDEX webhook_replay_digests_seen ON webhook_replay_digests (seen_at)",
  ],
};
