/** Epoch milliseconds (how the database stores time) to ISO-8601 UTC (how the API shows it). */
export function iso(ms: number | bigint): string;
export function iso(ms: number | bigint | string | null | undefined): string | null;
export function iso(ms: number | bigint | string | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();
}
