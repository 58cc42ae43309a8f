import type { VigilClient } from "../client/vigil-client.js";
import { terminalSafeData, terminalSafeJson } from "./terminal-text.js";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  write(chunk: Uint8Array): Promise<void>;
  confirm(question: string): Promise<boolean>;
}

/** A command's positional arguments and the flags (util.parseArgs, strict) it may read. */
export interface Invocation {
  args: string[];
  json: boolean;
  /** --yes or VIGIL_ASSUME_YES=1: no question asked (cron jobs, CI, no terminal). */
  yes: boolean;
  limit?: string;
  all?: boolean;
  until?: string;
  for?: string;
  comment?: string;
  dryRun?: boolean;
}

export class UsageError extends Error {}

type Command = (client: VigilClient, inv: Invocation, io: CliIo) => Promise<void>;
export interface CommandEntry {
  usage: string;
  run: Command;
}

export const arg = (inv: Invocation, i: number, name: string) => {
  const v = inv.args[i];
  if (v === undefined) throw new UsageError(`missing <${name}>`);
  return v;
};

export const positive = (raw: string | undefined, name: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`<${name}> must be a positive whole number, got "${raw ?? ""}"`);
  return n;
};

export const intArg = (inv: Invocation, i: number, name: string, fallback?: number) => {
  const raw = inv.args[i];
  if (raw === undefined && fallback !== undefined) return fallback;
  return positive(raw, name);
};

/** Prints data as JSON or, for people, through `human`, which gets it with every control character made visible. */
export const show = <T>(io: CliIo, inv: Invocation, data: T, human: (safe: T) => string) =>
  io.out(inv.json ? terminalSafeJson(JSON.stringify(data, null, 2)) : human(terminalSafeData(data)));
