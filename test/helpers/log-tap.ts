// Every log line a test file produces, from in-memory loggers, child servers and stdout alike,
// so the log audit (test/setup/log-audit.ts) can read them all. No imports: helpers that
// produce logs import this without cycles.
const lines: string[] = [];

export function tapLogLine(line: string): void {
  lines.push(line);
}

export function drainLogLines(): string[] {
  return lines.splice(0, lines.length);
}
