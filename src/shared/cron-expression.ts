// The five-field cron syntax Vercel accepts (minute hour day-of-month month day-of-week, UTC):
// numbers, `*`, ranges `a-b`, steps `*/n` and `a-b/n`, and comma lists.

export interface CronExpression {
  source: string;
  matches(date: Date): boolean;
}

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 6 },
] as const;

const MINUTE_MS = 60_000;

export function parseCron(source: string): CronExpression {
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron "${source}": expected 5 fields, got ${parts.length}`);
  const sets = parts.map((part, i) => parseField(part, FIELDS[i]!, source));
  const [minutes, hours, days, months, weekdays] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const dayRestricted = parts[2] !== "*";
  const weekdayRestricted = parts[4] !== "*";
  return {
    source,
    matches(date) {
      if (!minutes.has(date.getUTCMinutes()) || !hours.has(date.getUTCHours()) || !months.has(date.getUTCMonth() + 1)) {
        return false;
      }
      const dom = days.has(date.getUTCDate());
      const dow = weekdays.has(date.getUTCDay());
      // Classic cron: when both day fields are restricted, either may match.
      if (dayRestricted && weekdayRestricted) return dom || dow;
      return dom && dow;
    },
  };
}

function parseField(part: string, field: (typeof FIELDS)[number], source: string): Set<number> {
  const values = new Set<number>();
  for (const item of part.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw new Error(`cron "${source}": cannot read ${field.name} "${item}"`);
    const step = match[4] ? Number(match[4]) : 1;
    let from: number = field.min;
    let to: number = field.max;
    if (match[1] !== "*") {
      from = Number(match[2]);
      to = match[3] !== undefined ? Number(match[3]) : match[4] ? field.max : from;
    }
    if (step < 1 || from < field.min || to > field.max || from > to) {
      throw new Error(`cron "${source}": ${field.name} "${item}" is out of range ${field.min}-${field.max}`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Scheduled fire times in (fromMs, toMs], stopping once `limit` are found. */
export function firesBetween(cron: CronExpression, fromMs: number, toMs: number, limit = Infinity): number[] {
  const fires: number[] = [];
  let t = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  for (; t <= toMs && fires.length < limit; t += MINUTE_MS) {
    if (cron.matches(new Date(t))) fires.push(t);
  }
  return fires;
}
