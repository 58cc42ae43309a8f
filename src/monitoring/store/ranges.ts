// Time ranges as SQL conditions, shared by the verdicts' reads and their quarter-hour rollup's.

export type Range = readonly [from: number, to: number];

/** A statement's text with its arguments: a part that another statement of the same read embeds. */
export interface SqlPart {
  sql: string;
  args: number[];
}

const DAY = 86_400_000;

/** [from, to) itself or, with `days`, the same hours of each of the `days` days before it (a baseline; at most a day of each). */
export function windowRanges(from: number, to: number, days?: number): Range[] {
  if (!days) return [[from, to]];
  const width = Math.min(DAY, to - from);
  return Array.from({ length: days }, (_, i): Range => [from - (i + 1) * DAY, from - (i + 1) * DAY + width]);
}

/**
 * An OR of [from, to) ranges of one column. With none, one empty range: the plan stays an index
 * search (a constant false condition is planned as a scan of the table).
 */
export function inRanges(column: string, ranges: readonly Range[]): SqlPart {
  const some = ranges.length === 0 ? [[0, 0] as const] : ranges;
  return { sql: some.map(() => `(${column} >= ? AND ${column} < ?)`).join(" OR "), args: some.flat() };
}
