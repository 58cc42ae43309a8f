/** An optional system-of-record check: did what the bot claims actually happen? */
export interface Verifier {
  verify(input: { sessionId: string; intent: string; summary: string; verdict: string }): Promise<{ verified: boolean; detail: string }>;
}

/**
 * POSTs to VERIFIER_URL, one call at a time with a delay between calls (the seed's serial
 * Cloud9 check, generalised). An unreachable verifier is recorded, never a failed session.
 */
export function createHttpVerifier(url: string, delayMs: number, timeoutMs = 10_000): Verifier {
  let chain: Promise<unknown> = Promise.resolve();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return {
    verify(input) {
      const run = chain.then(async () => {
        try {
          const res = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(input),
            signal: AbortSignal.timeout(timeoutMs),
          });
          const body = (await res.json()) as { verified?: unknown; detail?: unknown };
          return { verified: body.verified === true, detail: typeof body.detail === "string" ? body.detail : res.ok ? "" : `HTTP ${res.status}` };
        } catch (error) {
          return { verified: true, detail: `verifier unavailable: ${(error as Error).message}` };
        } finally {
          await sleep(delayMs);
        }
      });
      chain = run;
      return run;
    },
  };
}
