import { errorMessage } from "../errors.js";
import { sleep } from "../shared/sleep.js";

/** What the judge read in the transcript that the system of record can confirm. */
export interface VerifierFacts {
  bookedAt: string | null;
  confirmationNumber: string | null;
  callerName: string | null;
}

/** The body POSTed to VERIFIER_URL, as docs/monitoring.md and .env.example promise. */
interface VerifierRequest {
  sessionId: string;
  intent: string;
  facts: VerifierFacts;
}

/**
 * `verified`: the record exists. `not_found`: the verifier answered that it does not — the bot
 * claimed something that never happened. `unavailable`: no usable answer (unreachable, timeout,
 * non-2xx, a body without a boolean `verified`), which proves nothing either way.
 */
export type VerifierStatus = "verified" | "not_found" | "unavailable";

export interface VerifierResult {
  status: VerifierStatus;
  detail: string;
}

/** An optional system-of-record check: did what the bot claims actually happen? */
export interface Verifier {
  verify(input: VerifierRequest): Promise<VerifierResult>;
}

/**
 * POSTs to VERIFIER_URL, one call at a time with a delay between calls (the seed's serial
 * Cloud9 check, generalised). It fails closed: anything but an explicit answer is `unavailable`.
 */
export function createHttpVerifier(url: string, delayMs: number, timeoutMs = 10_000): Verifier {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    verify(input) {
      const run = chain.then(async (): Promise<VerifierResult> => {
        try {
          return await ask(url, input, timeoutMs);
        } finally {
          await sleep(delayMs);
        }
      });
      chain = run;
      return run;
    },
  };
}

async function ask(url: string, input: VerifierRequest, timeoutMs: number): Promise<VerifierResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
    return { status: "unavailable", detail: `verifier unreachable: ${cause ?? errorMessage(error)}` };
  }
  if (!res.ok) {
    await res.body?.cancel();
    return { status: "unavailable", detail: `verifier answered HTTP ${res.status}` };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { status: "unavailable", detail: "verifier answered something that is not JSON" };
  }
  const { verified, detail } = (body ?? {}) as { verified?: unknown; detail?: unknown };
  if (typeof verified !== "boolean") return { status: "unavailable", detail: 'verifier answer has no boolean "verified"' };
  const said = typeof detail === "string" ? detail.slice(0, 500) : "";
  return verified ? { status: "verified", detail: said } : { status: "not_found", detail: said || "not found in the system of record" };
}
