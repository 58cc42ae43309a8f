import type { z } from "zod";

// Ids and labels are stored, compared, read back and shown. A NUL or other control character
// makes them read back cut short (two runs listed as one, an existing run not found), so they
// are refused at the edge with the field named. C1 controls (U+0080–U+009F; U+009B is CSI to a
// terminal) and the Unicode line and paragraph separators are no part of a name either; every
// output neutralises them too, for text stored before they were refused.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export const hasControlCharacters = (s: string) => CONTROL.test(s);

/** A string schema that refuses control characters. */
export const plainText = <T extends z.ZodString>(schema: T) =>
  schema.refine((s) => !CONTROL.test(s), "must not contain control characters");
