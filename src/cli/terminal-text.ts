// What the CLI prints comes from people Vigil does not trust: task descriptions and error messages
// recorded with the API key, judge summaries a caller's transcript can steer, a bot's error types.
// A terminal obeys control characters in its output: ESC starts CSI and OSC sequences (ECMA-48
// §5.4, 8.3.89; OSC 8 hyperlinks with a hidden target, window titles, clearing the screen), CR
// returns to the start of the line to overwrite it, and C1 codes (U+0080–U+009F, ECMA-48 §5.3;
// U+009B is CSI) act like ESC sequences on terminals that take 8-bit controls. Bidirectional
// overrides reorder what is shown (Unicode UAX #9; CVE-2021-42574). Each is printed as a visible
// escape instead, so the text can still be read and nothing in it acts.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, with the newline left alone.
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

const visible = (c: string) => {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`);
};

/** One value on one line: every control character (newline included) shown as an escape. */
const terminalSafe = (text: string) => text.replace(UNSAFE, visible);

/** A text of several lines (the Markdown report): its newlines kept, every other control shown. */
export const terminalSafeLines = (text: string) => text.replace(UNSAFE_BUT_NEWLINE, visible);

/** The same data with every string made terminal-safe, for the human-readable views. */
export function terminalSafeData<T>(data: T): T {
  return JSON.parse(JSON.stringify(data), (_key, value: unknown) => (typeof value === "string" ? terminalSafe(value) : value)) as T;
}

/**
 * `--json`: the same JSON, still parsing to the same values. JSON.stringify already escapes C0
 * (RFC 8259 §7) but writes C1 and bidi controls raw; `\uXXXX` is valid JSON for any character.
 */
export const terminalSafeJson = (json: string) =>
  json.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
