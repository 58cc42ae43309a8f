import type { Logger } from "../log.js";
import { errorMessage } from "../errors.js";

/** Links from Vigil to the Langfuse UI, which addresses a session under its project. */
export interface LangfuseLinks {
  /** The session's page in Langfuse, or null while the project is not known. */
  sessionUrl(sessionId: string): Promise<string | null>;
}

// A failed look-up is tried again after this; a found project id is kept for the instance's life.
const RETRY_MS = 5 * 60_000;

/**
 * The project of the configured keys from GET /api/public/projects (langfuse/langfuse
 * web/src/pages/api/public/projects/index.ts: a project key sees `{ data: [{ id, name, … }] }`
 * with its one project; the endpoint is not rate-limited), looked up once per instance.
 * Session pages are `/project/<projectId>/sessions/<sessionId>` (web/src/pages/project/[projectId]/sessions/[sessionId].tsx).
 */
export function createLangfuseLinks(o: {
  baseUrl: string;
  publicKey: string;
  secretKey: string;
  timeoutMs: number;
  log: Logger;
  clock: () => number;
}): LangfuseLinks {
  const base = o.baseUrl.replace(/\/$/, "");
  let project: Promise<string | null> | undefined;
  let failedAt = 0;
  const lookUp = async (): Promise<string | null> => {
    try {
      const res = await fetch(`${base}/api/public/projects`, {
        headers: { authorization: `Basic ${Buffer.from(`${o.publicKey}:${o.secretKey}`).toString("base64")}` },
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { data?: { id?: unknown }[] };
      const id = body.data?.[0]?.id;
      if (typeof id !== "string" || id === "") throw new Error("no project in the answer");
      return id;
    } catch (error) {
      failedAt = o.clock();
      project = undefined;
      o.log.warn("langfuse project unknown: no links to sessions", { reason: errorMessage(error) });
      return null;
    }
  };
  return {
    async sessionUrl(sessionId) {
      if (!project && o.clock() - failedAt < RETRY_MS) return null;
      project ??= lookUp();
      const id = await project;
      return id ? `${base}/project/${encodeURIComponent(id)}/sessions/${encodeURIComponent(sessionId)}` : null;
    },
  };
}
