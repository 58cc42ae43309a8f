import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Who owns a sample: the innermost frame on its stack that belongs to one of these, so Node's
 * crypto under the signature check counts as the signature check and JSON.stringify under the
 * logger as the log line. A stack with none of them is Node's own HTTP and socket work.
 */
const OWNERS: [string, (url: string) => boolean][] = [
  ["SQLite insert and commit (libsql; wall-clock, so the fsync wait is in it)", (u) => /node_modules\/(@libsql|libsql)\//.test(u)],
  ["group commit and event writer", (u) => /src\/(db\/group-commit|stability\/event-writer)\.ts/.test(u)],
  ["signature check (HMAC)", (u) => /src\/stability\/(signatures|secrets)\.ts/.test(u)],
  ["event parse and check", (u) => /src\/stability\/events\.ts/.test(u)],
  ["log line", (u) => /src\/log\.ts/.test(u)],
  ["Vigil route, ingest and envelope", (u) => /src\/(http|stability)\//.test(u)],
  ["Hono routing and compose", (u) => /node_modules\/hono\//.test(u)],
  ["@hono/node-server adapter", (u) => /node_modules\/@hono\/node-server\//.test(u)],
];
const NODE = "Node HTTP parser, sockets and streams";

/** Shares of the busy (non-idle) time of the newest profile in `dir`, by owner, largest first. */
export function profileShares(dir: string, lastSeconds: number): { shares: { owner: string; share: number }[]; busyMicros: number } {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f))
    .sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
  if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownerOf = new Map<number, string>();
  const owner = (id: number): string => {
    const known = ownerOf.get(id);
    if (known) return known;
    const frame = byId.get(id)!.callFrame;
    const special = ["(garbage collector)", "(program)", "(idle)"].find((s) => frame.functionName === s);
    const mine = special ?? OWNERS.find(([, test]) => test(frame.url))?.[0];
    const up = parent.get(id);
    const result = mine ?? (up === undefined ? NODE : owner(up));
    ownerOf.set(id, result);
    return result;
  };
  // Only the load's last seconds: not start-up, not the warm-up.
  const times: number[] = [];
  let t = 0;
  for (const d of profile.timeDeltas) times.push((t += d));
  const busy = profile.samples
    .map((id, i) => [owner(id), times[i]!, profile.timeDeltas[i + 1] ?? 0] as const)
    .filter(([o]) => o !== "(idle)");
  const end = busy.at(-1)?.[1] ?? 0;
  const totals = new Map<string, number>();
  let total = 0;
  for (const [o, at, d] of busy) {
    if (at < end - lastSeconds * 1e6) continue;
    totals.set(o, (totals.get(o) ?? 0) + d);
    total += d;
  }
  return { shares: [...totals].map(([o, v]) => ({ owner: o, share: v / total })).sort((a, b) => b.share - a.share), busyMicros: total };
}
