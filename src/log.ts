// One log format: a JSON object per line, so `vercel logs | grep '"job":"monitor"'` works.

import { escapeRawInJson } from "./security/control-characters.js";
import { mapStack } from "./shared/mapped-stack.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string, level: LogLevel) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Keys whose values never reach a log line, whatever the caller passes. A key ending in
// "token" is a credential (authToken, access_token); "tokens", "tokens_in" are counts.
const SENSITIVE_KEY = /secret|token$|password|authorization|cookie|api[-_]?key|transcript|signature$/i;

// JSON.stringify escapes C0 controls, so no value ends a line or forges a field; what it writes raw
// (C1: U+009B is CSI to the terminal `vercel logs` is read in; U+2028/2029, line terminators to
// JavaScript tools) is written as \uXXXX, the same JSON value (control-characters.ts).
const stdSink: LogSink = (line, level) => {
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
};

export function createLogger(options: { level?: LogLevel; sink?: LogSink; base?: LogFields } = {}): Logger {
  const min = ORDER[options.level ?? "info"];
  const sink = options.sink ?? stdSink;
  const base = options.base ?? {};

  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const record: LogFields = { level, time: new Date().toISOString(), msg, ...base, ...fields };
    sink(escapeRawInJson(JSON.stringify(record, needsRedaction(record) ? redact : undefined)), level);
  };

  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger({ level: options.level, sink, base: { ...base, ...fields } }),
  };
}

/**
 * A flat record (every value a string, number, boolean or null) with no sensitive key is written
 * as it is: a replacer function makes JSON.stringify several times slower, and a request's line
 * is on every request's path. Anything nested (an error, an object, an array) goes through it.
 */
function needsRedaction(record: LogFields): boolean {
  for (const key in record) {
    const value = record[key];
    if (value !== null && typeof value === "object") return true;
    if (SENSITIVE_KEY.test(key) && value !== null && value !== undefined) return true;
  }
  return false;
}

function redact(key: string, value: unknown): unknown {
  if (key !== "" && SENSITIVE_KEY.test(key) && value !== null && value !== undefined) return "[redacted]";
  if (value instanceof Error) return describeError(value);
  return value;
}

export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { message: String(error) };
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return { name: error.name, message: error.message, ...(cause ? { cause } : {}), stack: error.stack && mapStack(error.stack) };
}
