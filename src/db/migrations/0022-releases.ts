import type { Migration } from "./types.js";

// "Did the new release make it worse?": each verdict keeps the Langfuse release, version and
// prompt of the conversation it judged, and each webhook event the release the bot reported, so
// the report can set the current release beside the previous one. Columns only (NULL for rows
// stored before), so the build before this one keeps running on the new schema.
export const releasesMigration: Migration = {
  id: 22,
  name: "releases: the Langfuse release, version and prompt of a verdict; the release of a webhook event",
  statements: [
    "ALTER TABLE monitoring_results ADD COLUMN release TEXT",
    "ALTER TABLE monitoring_results ADD COLUMN release_version TEXT",
    "ALTER TABLE monitoring_results ADD COLUMN prompt TEXT",
    "ALTER TABLE webhook_events ADD COLUMN release TEXT",
  ],
};
