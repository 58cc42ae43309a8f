import type { z } from "zod";

// Ids and labels are stored, compared, read back and shown. A NUL or other control character
// makes them read back cut short (two runs listed as one, an existing run not found), so they
// are refused at the edge with the field named.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job.
const CONTROL = /[\u0000-\u001f\u007f]/;

export const hasControlCharacters = (s: string) => CONTROL.test(s);

/** A string schema that refuses control characters. */
export const plainText = <T extends z.ZodString>(schema: T) =>
  schema.refine((s) => !CONTROL.test(s), "must not contain control characters");
