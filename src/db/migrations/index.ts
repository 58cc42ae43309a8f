import { coreMigration } from "./0001-core.js";
import { stabilityMigration } from "./0002-stability.js";
import { runsMigration } from "./0003-runs.js";
import { monitoringMigration } from "./0004-monitoring.js";
import { alertsMigration } from "./0005-alerts.js";
import { ingestMarkMigration } from "./0006-ingest-mark.js";
import { queryIndexesMigration } from "./0007-query-indexes.js";
import { quarterRollupsMigration } from "./0008-quarter-rollups.js";
import { monitoringHourlyMigration } from "./0009-monitoring-hourly.js";
import { jobRunsStartedMigration } from "./0010-job-runs-started.js";
import { verifierStatusMigration } from "./0011-verifier-status.js";
import { hostileSendersMigration } from "./0012-hostile-senders.js";
import { observationTriggerMigration } from "./0013-observation-trigger.js";
import { rollupMarkMigration } from "./0014-rollup-mark.js";
import type { Migration } from "./types.js";
import { qualityFlagsIndexMigration } from "./0015-quality-flags-index.js";
import { batchGuardsMigration } from "./0016-batch-guards.js";
import { dropProcessedAtMigration } from "./0017-drop-processed-at.js";
import { observationTraceIndexMigration } from "./0018-observation-trace-index.js";
import { replayDigestsMigration } from "./0019-replay-digests.js";
import { scoresRefusedMigration } from "./0020-scores-refused.js";
import { observationRestartsMigration } from "./0021-observation-restarts.js";
import { releasesMigration } from "./0022-releases.js";
import { conversationCostMigration } from "./0023-conversation-cost.js";
import { verdictOutcomesMigration } from "./0024-verdict-outcomes.js";
import { verdictCostMigration } from "./0025-verdict-cost.js";

export type { Migration } from "./types.js";

// Ordered by id; the runner checks that ids are strictly increasing.
export const migrations: Migration[] = [
  coreMigration,
  stabilityMigration,
  runsMigration,
  monitoringMigration,
  alertsMigration,
  ingestMarkMigration,
  queryIndexesMigration,
  quarterRollupsMigration,
  monitoringHourlyMigration,
  jobRunsStartedMigration,
  verifierStatusMigration,
  hostileSendersMigration,
  observationTriggerMigration,
  rollupMarkMigration,
  qualityFlagsIndexMigration,
  batchGuardsMigration,
  dropProcessedAtMigration,
  observationTraceIndexMigration,
  replayDigestsMigration,
  scoresRefusedMigration,
  observationRestartsMigration,
  releasesMigration,
  conversationCostMigration,
  verdictOutcomesMigration,
  verdictCostMigration,
];
