// One log format: a JSON object per line, so `vercel logs | grep '"job":"monitor"'` works.

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

const stdSink: LogSink = (line, level) => {
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
};

export function createLogger(options: { level?: LogLevel; sink?: LogSink; base?: LogFields } = {}): Logger {
  const min = ORDER[options.level ?? "info"];
  const sink = options.sink ?? stdSink;
  const base = options.base ?? {};

  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const record = { level, time: new Date().toISOString(), msg, ...base, ...fields };
    sink(JSON.stringify(record, redact), level);
  };

  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger({ level: options.level, sink, base: { ...base, ...fields } }),
  };
}

function redact(key: string, value: unknown): unknown {
  if (key !== "" && SENSITIVE_KEY.test(key) && value !== null && value !== undefined) return "[redacted]";
  if (value instanceof Error) return describeError(value);
  return value;
}

export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { message: String(error) };
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return { name: error.name, message: error.message, ...(cause ? { cause } : {}), stack: error.stack };
}
