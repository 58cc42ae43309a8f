import type { z } from "zod";

// Ids and labels are stored, compared, read back and shown. A NUL or other control character
// makes them read back cut short (two runs listed as one, an existing run not found), so they
// are refused at the edge with the field named. C1 controls (U+0080–U+009F, ECMA-48 §5.3; U+009B
// is CSI to a terminal) and the Unicode line and paragraph separators (line terminators to
// JavaScript, ECMA-262 §12.3) are no part of a name either. Free text (task descriptions, error
// messages, summaries) may hold them, so every output neutralises them in its own format, from the
// classes below.
const C0 = "\\u0000-\\u001f";
const DEL_C1_SEPARATORS = "\\u007f-\\u009f\\u2028\\u2029";
// Bidirectional controls are text to a label, but reorder what a terminal or page shows (Unicode
// UAX #9; CVE-2021-42574): shown as escapes where text is printed for people.
const BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

const CONTROL = new RegExp(`[${C0}${DEL_C1_SEPARATORS}]`);
const CONTROL_RUNS = new RegExp(`[${C0}${DEL_C1_SEPARATORS}]+`, "g");
const BIDI_CHARS = new RegExp(`[${BIDI}]`, "g");
const SHOWN = new RegExp(`[${C0}${DEL_C1_SEPARATORS}${BIDI}]`, "g");
const SHOWN_BUT_NEWLINE = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f${DEL_C1_SEPARATORS}${BIDI}]`, "g");
// JSON.stringify escapes C0 (RFC 8259 §7) and writes the rest raw.
const RAW_IN_JSON = `[${DEL_C1_SEPARATORS}${BIDI}]`;
const HAS_RAW_IN_JSON = new RegExp(RAW_IN_JSON);
const ALL_RAW_IN_JSON = new RegExp(RAW_IN_JSON, "g");

// A lone UTF-16 surrogate is no character at all: stored as UTF-8 it becomes U+FFFD, so two ids
// that differ only in their lone surrogates read back the same (WHATWG Encoding §4.2 "encode").
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a name holds a control character or a lone surrogate: either is refused at the edge. */
export const hasControlCharacters = (s: string) => CONTROL.test(s) || LONE_SURROGATE.test(s);

/** A string schema that refuses control characters and lone surrogates. */
export const plainText = <T extends z.ZodString>(schema: T) =>
  schema.refine((s) => !hasControlCharacters(s), "must not contain control characters or unpaired surrogates");

/** The text as one line: each run of control characters and line separators becomes one space. */
export const oneLine = (text: string) => text.replace(CONTROL_RUNS, " ");

const hex = (c: string) => c.charCodeAt(0).toString(16);
const visible = (c: string) => (c.charCodeAt(0) < 0x100 ? `\\x${hex(c).padStart(2, "0")}` : `\\u${hex(c).padStart(4, "0")}`);

/** Every control and bidirectional character written as a visible `\xNN` or `\uNNNN`; newlines kept if asked. */
export const showControlCharacters = (text: string, options: { keepNewlines?: boolean } = {}) =>
  text.replace(options.keepNewlines ? SHOWN_BUT_NEWLINE : SHOWN, visible);

/** Bidirectional controls written as visible `\uNNNN`, for text people read outside a terminal (chat, e-mail). */
export const showBidiControls = (text: string) => text.replace(BIDI_CHARS, visible);

/** JSON text with what JSON.stringify leaves raw (DEL, C1, U+2028/2029, bidi) as `\uXXXX`: the same values. */
export function escapeRawInJson(json: string): string {
  // One scan, which almost never finds anything (every log line passes here): the replace runs only when it does.
  return HAS_RAW_IN_JSON.test(json) ? json.replace(ALL_RAW_IN_JSON, (c) => `\\u${hex(c).padStart(4, "0")}`) : json;
}
