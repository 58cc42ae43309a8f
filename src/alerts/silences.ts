import { z } from "zod";
import type { Db } from "../db/client.js";
import { NotFoundError } from "../errors.js";

export interface Silence {
  id: number;
  matchers: Record<string, string>;
  startsAt: number;
  endsAt: number;
  comment: string;
}

/** Equality matchers on labels; `rule` matches the rule name. */
export const silenceBody = z.strictObject({
  matchers: z.record(z.string().min(1).max(100), z.string().max(500)).refine((m) => Object.keys(m).length > 0, "at least one matcher"),
  until: z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
  comment: z.string().trim().min(1).max(1000),
});

export async function createSilence(db: Db, input: z.infer<typeof silenceBody>, now: number): Promise<Silence> {
  const rs = await db.execute({
    sql: "INSERT INTO silences (matchers, starts_at, ends_at, comment, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    args: [JSON.stringify(input.matchers), now, input.until, input.comment, now],
  });
  return { id: Number(rs.rows[0]!.id), matchers: input.matchers, startsAt: now, endsAt: input.until, comment: input.comment };
}

export async function listSilences(db: Db, now: number, includeExpired: boolean): Promise<Silence[]> {
  const rs = await db.execute({
    sql: `SELECT * FROM silences WHERE ? OR ends_at > ? ORDER BY ends_at DESC LIMIT 500`,
    args: [includeExpired ? 1 : 0, now],
  });
  return rs.rows.map((r) => ({
    id: Number(r.id),
    matchers: JSON.parse(String(r.matchers)),
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    comment: String(r.comment),
  }));
}

/** Ends a silence now (kept for the record). */
export async function expireSilence(db: Db, id: number, now: number): Promise<void> {
  const rs = await db.execute({ sql: "UPDATE silences SET ends_at = min(ends_at, ?) WHERE id = ?", args: [now, id] });
  if (rs.rowsAffected === 0) throw new NotFoundError(`No silence ${id}`);
}

export function matchingSilence(silences: Silence[], rule: string, labels: Record<string, string>): Silence | undefined {
  return silences.find((s) => Object.entries(s.matchers).every(([k, v]) => (k === "rule" ? v === rule : labels[k] === v)));
}
