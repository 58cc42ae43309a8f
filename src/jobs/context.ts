import type { AlertContext, AlertRouting } from "../alerts/context.js";
import type { DeliverySettings } from "../alerts/delivery-settings.js";
import type { EscalationSettings } from "../alerts/escalation.js";
import type { MonitorContext } from "../monitoring/context.js";
import type { RunSettings } from "../runs/settings.js";
import type { ReportContext } from "../report/stability-report.js";

/** How long each kind of row is kept, in days (RETENTION_DAYS and its siblings). */
interface RetentionSettings {
  eventDays: number;
  replayWindowDays: number;
  runDays: number;
  archiveDays: number;
}

/** What the jobs are given: every context of the domains they call, built once by the composition root (src/deps.ts). */
export type JobContext = MonitorContext &
  AlertContext &
  ReportContext & {
    alerts: AlertRouting;
    settings: {
      runs: RunSettings;
      escalation: EscalationSettings;
      delivery: DeliverySettings;
      retention: RetentionSettings;
      /** How long a job's lease holds: the function's longest run. */
      jobs: { leaseMs: number };
    };
  };
