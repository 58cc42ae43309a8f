import { errorMessage, UpstreamError } from "../../errors.js";
import { parseRetryAfter } from "../../shared/retry-after.js";

/** POSTs JSON to a channel's endpoint; any answer but 2xx is an UpstreamError saying whether to retry. */
export async function postJson(url: string, body: string, headers: Record<string, string>, what: string, now: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new UpstreamError(`${what}: ${errorMessage(error)}`, true, { cause: error });
  }
  await res.body?.cancel();
  if (res.ok) return;
  // 429 and 5xx are worth another try; any other answer will not change.
  throw new UpstreamError(`${what} answered HTTP ${res.status}`, res.status === 429 || res.status >= 500, {
    retryAfterMs: parseRetryAfter(res.headers, now),
  });
}
