import type { Db } from "../db/client.js";
import { MINUTE_MS as MIN, slotOf } from "./rollup-metrics.js";
import { judgeRecentFailures } from "./signature-judgement.js";
import { readRollups, signatureSlots } from "./store/webhook-rollups.js";

// The verified rate a source's recent minutes are held against.
const BASELINE_MINUTES = 60;

export interface FailingSender {
  source: string;
  failures: number;
  reasons: Record<string, number>;
}

/**
 * Sources whose own deliveries are failing their signatures in the last `windowMinutes` (the
 * signature_failure alert); strangers probing beside a sender that still delivers are left out.
 */
export async function failingSenders(db: Db, now: number, windowMinutes: number): Promise<FailingSender[]> {
  const current = slotOf(now, MIN);
  const origin = current - (windowMinutes - 1 + BASELINE_MINUTES) * MIN;
  const [rows] = await readRollups(db, [signatureSlots(origin, current + MIN, MIN)]);
  const last = BASELINE_MINUTES + windowMinutes - 1;
  return [...judgeRecentFailures(rows, BASELINE_MINUTES, last, BASELINE_MINUTES)]
    .filter(([, j]) => j.failing.failures > 0)
    .map(([source, j]) => ({ source, failures: j.failing.failures, reasons: j.failing.reasons }));
}
