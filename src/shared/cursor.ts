import { ValidationError } from "../errors.js";

/**
 * Keyset pagination cursors over (time, id), newest first: opaque to clients (base64url of
 * `time:id`) so a page boundary stays stable under inserts without OFFSET scans.
 */
export const encodeCursor = (at: number, id: number): string => Buffer.from(`${at}:${id}`).toString("base64url");

/** The (time, id) a cursor stands for; a ValidationError (400) for anything this API did not return. */
export function decodeCursor(cursor: string): [at: number, id: number] {
  const match = /^(\d+):(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) throw new ValidationError("Invalid cursor", [{ field: "cursor", message: "not a cursor this API returned" }]);
  return [Number(match[1]), Number(match[2])];
}
