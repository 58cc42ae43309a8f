/** Anything with `get(name)`: a fetch `Headers`, or an SDK's copy of the response headers. */
interface HeaderReader {
  get(name: string): string | null | undefined;
}

/**
 * How long a server asked us to wait, in milliseconds, or undefined when it did not say.
 * `retry-after-ms` (OpenAI's and Azure's, more precise) wins over `Retry-After`, which is either
 * delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a date in the past means "now", i.e. no wait.
 */
export function parseRetryAfter(headers: HeaderReader | null | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get("retry-after-ms") ?? "");
  if (headers.get("retry-after-ms") && Number.isFinite(ms) && ms > 0) return ms;
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) {
    const seconds = Number(value);
    return seconds > 0 ? seconds * 1000 : undefined;
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return at > now ? at - now : undefined;
}
