import type { Db } from "../db/client.js";
import { readAll } from "../db/query.js";
import { ConflictError, NotFoundError } from "../errors.js";
import type { Alert } from "./store/alert-rows.js";
import { acknowledge, alertById, alertList, notificationsOf } from "./store/alerts.js";
import { transitionsOf } from "./store/transitions.js";

export type { Alert } from "./store/alert-rows.js";
export type AlertDetail = Awaited<ReturnType<typeof alertDetail>>;

export async function listAlerts(db: Db, q: Parameters<typeof alertList>[0]): Promise<Alert[]> {
  const { statement, map } = alertList(q);
  return map(await db.execute(statement));
}

/** An alert with its transitions and notifications, read in one batch. */
export async function alertDetail(db: Db, id: number) {
  const [alert, transitions, notifications] = await readAll(db, [alertById(id), transitionsOf(id), notificationsOf(id)]);
  if (!alert) throw new NotFoundError(`No alert ${id}`);
  return { ...alert, transitions, notifications };
}

/** Stops repeats of a firing alert until it resolves. */
export async function ackAlert(db: Db, id: number, now: number) {
  if (!(await acknowledge(db, id, now))) {
    const detail = await alertDetail(db, id);
    throw new ConflictError(`Alert ${id} is ${detail.state}: only a firing alert can be acknowledged`);
  }
  return alertDetail(db, id);
}
