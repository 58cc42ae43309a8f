import vercelConfig from "../../vercel.json" with { type: "json" };
import { parseCron, type CronExpression } from "./cron-expression.js";

export interface CronEntry {
  path: string;
  schedule: string;
  cron: CronExpression;
}

/** vercel.json is the one source of the schedules: Vercel reads it, and so do Vigil and its local scheduler. */
export const cronEntries: CronEntry[] = vercelConfig.crons.map((c) => ({ ...c, cron: parseCron(c.schedule) }));

export function cronEntryFor(job: string): CronEntry | undefined {
  return cronEntries.find((entry) => entry.path === `/api/cron/${job}`);
}
