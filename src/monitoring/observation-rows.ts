// One imported page as rows: each observation checked on its own (one bad row never costs the
// page), every stored field bounded, and each observation given the conversation it belongs to.
import type { InStatement, InValue } from "@libsql/client";
import type { Db } from "../db/client.js";
import type { TraceObservation } from "../integrations/langfuse.js";
import { parseIo } from "./io-parse.js";
import type { MonitorSettings } from "./settings.js";
import { moveToSession, traceSessionReads } from "./store/sessions.js";

// Ids are kept whole or not at all: a cut id would merge two conversations.
const MAX_ID_CHARS = 512;
const MAX_NAME_CHARS = 200;
const MAX_STATUS_CHARS = 2_000;

const isId = (v: unknown) => typeof v === "string" && v.length > 0 && v.length <= MAX_ID_CHARS;
const optionalText = (v: unknown) => v === null || typeof v === "string";

/** Why an observation cannot be stored, or undefined when it can. */
export function poisonReason(o: TraceObservation): string | undefined {
  if (!isId(o.id)) return `id is not a string of 1 to ${MAX_ID_CHARS} characters`;
  if (typeof o.startTime !== "number" || !Number.isFinite(o.startTime)) return "startTime is not a date";
  if (o.traceId !== null && !isId(o.traceId)) return `traceId is not a string of 1 to ${MAX_ID_CHARS} characters`;
  if (o.sessionId !== null && !isId(o.sessionId)) return `sessionId is not a string of 1 to ${MAX_ID_CHARS} characters`;
  if (typeof o.type !== "string") return "type is not a string";
  if (!Array.isArray(o.tags) || !o.tags.every((t) => typeof t === "string")) return "tags is not a list of strings";
  for (const field of ["name", "traceName", "level", "statusMessage", "release", "version", "promptName"] as const)
    if (!optionalText(o[field])) return `${field} is not a string`;
  if (o.promptVersion !== null && !Number.isSafeInteger(o.promptVersion)) return "promptVersion is not an integer";
  return undefined;
}

export function isInternal(o: TraceObservation, s: MonitorSettings): boolean {
  const name = o.traceName ?? "";
  // Vigil's own judge calls, if anyone traces them, are never judged.
  if (name.startsWith("vigil-") || o.tags.includes("vigil-judge")) return true;
  return s.internalNames.has(name) || o.tags.some((t) => s.internalTags.has(t));
}

const clip = (v: string | null, max: number) => (v !== null && v.length > max ? `${v.slice(0, max)}…` : v);

/** The stored row of a valid observation; `bounded` hears why its I/O was replaced or cut. */
export function observationRow(
  o: TraceObservation,
  sessionKey: string,
  s: MonitorSettings,
  now: number,
  bounded: (problem: string) => void,
): InValue[] {
  const ended = s.endMarkers.has(o.traceName ?? "") || s.endMarkers.has(o.name ?? "") || o.tags.some((t) => s.endMarkers.has(t)) ? 1 : 0;
  const input = parseIo(o.input);
  const output = parseIo(o.output, "output");
  const problem = [input.problem && `input ${input.problem}`, output.problem && `output ${output.problem}`].filter(Boolean).join("; ");
  if (problem) bounded(problem);
  const data = JSON.stringify({
    type: clip(o.type, MAX_NAME_CHARS),
    name: clip(o.name, MAX_NAME_CHARS),
    traceName: clip(o.traceName, MAX_NAME_CHARS),
    level: clip(o.level, MAX_NAME_CHARS),
    statusMessage: clip(o.statusMessage, MAX_STATUS_CHARS),
    input: input.value,
    output: output.value,
    environment: clip(o.environment, MAX_NAME_CHARS),
    release: clip(o.release, MAX_NAME_CHARS),
    version: clip(o.version, MAX_NAME_CHARS),
    prompt: o.promptName === null ? null : clip(`${o.promptName}${o.promptVersion === null ? "" : ` v${o.promptVersion}`}`, MAX_NAME_CHARS),
  });
  return [o.id, sessionKey, o.traceId, o.startTime, data, ended, now, o.costUsd];
}

/** A trace without a session is a conversation of its own. */
const traceKey = (o: TraceObservation) => `trace:${o.traceId ?? o.id}`;

/**
 * The conversation of each observation, as Langfuse defines sessions: an observation without a
 * session takes its trace's (in v4 the session is set per observation, so one trace can carry
 * both), found in this page or among the stored rows. When a trace's session shows up only now,
 * the rows stored under the trace alone move to the session (`moves`, run before the insert).
 */
export async function sessionKeys(
  db: Db,
  page: TraceObservation[],
  now: number,
): Promise<{ keyOf: (o: TraceObservation) => string; moves: InStatement[] }> {
  const traceSession = new Map<string, string>();
  for (const o of page)
    if (o.sessionId !== null && o.traceId !== null && !traceSession.has(o.traceId)) traceSession.set(o.traceId, o.sessionId);
  const unknown = [
    ...new Set(page.filter((o) => o.sessionId === null && o.traceId !== null && !traceSession.has(o.traceId)).map((o) => o.traceId!)),
  ];
  const withSession = [...traceSession.keys()];
  if (unknown.length === 0 && withSession.length === 0) return { keyOf: (o) => o.sessionId ?? traceKey(o), moves: [] };
  const [stored, alone] = await db.batch(traceSessionReads(unknown, withSession), "read");
  for (const r of stored!.rows) traceSession.set(String(r.trace_id), String(r.session_key));
  const moves = alone!.rows.flatMap((r) => {
    const from = String(r.session_key);
    return moveToSession(from, traceSession.get(from.slice("trace:".length))!, now);
  });
  return {
    keyOf: (o) => o.sessionId ?? (o.traceId !== null ? traceSession.get(o.traceId) : undefined) ?? traceKey(o),
    moves,
  };
}
