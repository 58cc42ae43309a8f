import { escapeRawInJson, showControlCharacters } from "../security/control-characters.js";

// What the CLI prints comes from people Vigil does not trust: task descriptions and error messages
// recorded with the API key, judge summaries a caller's transcript can steer, a bot's error types.
// A terminal obeys control characters in its output: ESC starts CSI and OSC sequences (ECMA-48
// §5.4, 8.3.89; OSC 8 hyperlinks with a hidden target, window titles, clearing the screen), CR
// returns to the start of the line to overwrite it, C1 codes act like ESC sequences on terminals
// that take 8-bit controls, and bidirectional overrides reorder what is shown. Each is printed as a
// visible escape instead, so the text can still be read and nothing in it acts.

/** A text of several lines (the Markdown report): its newlines kept, every other control shown. */
export const terminalSafeLines = (text: string) => showControlCharacters(text, { keepNewlines: true });

/** The same data with every string made terminal-safe (newlines included), for the human-readable views. */
export function terminalSafeData<T>(data: T): T {
  return JSON.parse(JSON.stringify(data), (_key, value: unknown) =>
    typeof value === "string" ? showControlCharacters(value) : value,
  ) as T;
}

/** `--json` and `export`: the same JSON, still parsing to the same values; `\uXXXX` is valid JSON for any character. */
export const terminalSafeJson = escapeRawInJson;
