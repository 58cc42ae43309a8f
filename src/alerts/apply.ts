import type { InStatement } from "@libsql/client";
import type { Db } from "../db/client.js";
import { guarded, whenChanged } from "../db/guarded-batch.js";
import type { AlertAction, Decision } from "./decide.js";
import {
  clearAlert,
  holdAlert,
  insertAlert,
  moveAlert,
  notifyAlert,
  notifyOpenedAlert,
  refreshAlert,
  renotifyAlert,
} from "./store/alerts.js";
import { openingTransition, transitionOf } from "./store/transitions.js";

/**
 * The statements of one action. Each starts with a write guarded by the state `decide` saw; what
 * follows it (transition row, then its notifications) is written only if that write changed a row.
 */
function statementsOf(d: Decision, a: AlertAction): InStatement[] {
  switch (a.type) {
    case "open":
      return guarded(
        insertAlert(d, a),
        whenChanged(openingTransition(a, d.now), notifyOpenedAlert(d, a.fingerprint, { kind: "firing", channels: a.notify })),
      );
    case "transition":
      return guarded(
        moveAlert(a, d.now),
        whenChanged(transitionOf(a, d.now), notifyAlert(d, a.alertId, { kind: a.to, channels: a.notify })),
      );
    case "hold":
      return [holdAlert(a, d.now)];
    case "repeat":
      return guarded(renotifyAlert(a, d.now), notifyAlert(d, a.alertId, { kind: a.kind, channels: a.notify }));
    case "refresh":
      return [refreshAlert(a, d.now)];
    case "clear":
      return [clearAlert(a, d.now)];
  }
}

/**
 * Writes one decision in one batch: one round trip, and all of it or none. Each action is guarded
 * on its own (see statementsOf), so an action that lost a race with an overlapping evaluation is
 * skipped without stopping the others.
 */
export async function applyDecision(db: Db, d: Decision): Promise<void> {
  if (d.actions.length === 0) return;
  await db.batch(
    d.actions.flatMap((a) => statementsOf(d, a)),
    "write",
  );
}
