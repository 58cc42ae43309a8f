import { iso } from "../time.js";

type Time = number | null | undefined;
type TimeKeys<T> = { [K in keyof T]: T[K] extends Time ? K : never }[keyof T];
/** `T` with the named epoch-millisecond fields as the API shows them. */
type WithIsoTimes<T, K extends keyof T> = Omit<T, K> & { [P in K]: null extends T[P] ? string | null : string };

/**
 * Domain values keep time as epoch milliseconds (how the database stores it); the API shows
 * ISO-8601 UTC. This is the one place an answer's times are formatted: a route's answer names
 * which fields are times, and its schema (`time`/`maybeTime`) declares them as strings.
 */
export function withIsoTimes<T extends object, K extends TimeKeys<T>>(value: T, ...keys: K[]): WithIsoTimes<T, K> {
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of keys) out[key as string] = iso(value[key] as Time);
  return out as WithIsoTimes<T, K>;
}
