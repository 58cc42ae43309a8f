import type { LangfuseLinks } from "../integrations/langfuse-links.js";

/** Each verdict with the Langfuse page of its session (null without Langfuse or before its project is known). */
export async function withSessionLinks<T extends { sessionId: string }>(
  verdicts: T[],
  links: LangfuseLinks | undefined,
): Promise<(T & { langfuseUrl: string | null })[]> {
  return Promise.all(verdicts.map(async (v) => ({ ...v, langfuseUrl: links ? await links.sessionUrl(v.sessionId) : null })));
}
