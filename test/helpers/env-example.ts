import { readFileSync } from "node:fs";

const example = readFileSync(".env.example", "utf8");

/** Whether .env.example documents the variable, or (for `LANGFUSE_*`, `WEBHOOK_SECRET_<SOURCE>`) variables it starts. */
export function documentedInEnvExample(name: string, prefix = false): boolean {
  return new RegExp(`^#?\\s*${name}${prefix ? "[A-Z_<]" : "="}`, "m").test(example);
}

/** Variable names written in backticks in Markdown; `X_*` and `X_<SOURCE>` are prefixes. */
export const variablesIn = (markdown: string) =>
  [...markdown.matchAll(/`([A-Z][A-Z0-9_]*)(\*|_<SOURCE>)?`/g)].map((m) => ({ name: m[1]!, prefix: m[2] !== undefined }));
