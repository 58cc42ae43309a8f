import type { Metric } from "./rollup-metrics.js";

/**
 * Signature failures judged against the source's verified traffic (seed 003 makes a failure
 * critical because it usually means the real sender lost its secret or its clock). A few bad
 * requests while the source's verified deliveries flow as before are someone without the key
 * knocking: probing, a warning with the addresses it came from. Failures while the verified
 * deliveries stopped or fell (to under half their rate in the slots before), or at a source
 * with no verified deliveries at all, are the sender failing: critical.
 */

/** The metrics a judgement reads, per source and slot. */
export const JUDGED_METRICS = ["accepted", "signature_failure", "refused_from"] as const satisfies readonly Metric[];

/** Slots of verified traffic a slot is compared with. */
export const BASELINE_SLOTS = 4;
/** Verified deliveries under this share of the baseline's mean count as a drop. */
const DROP = 0.5;

interface SlotCounts {
  verified: number;
  failures: number;
  reasons: Record<string, number>;
  addresses: Record<string, number>;
}

/** A rollup row as the slot query returns it: slot 0 is the oldest baseline slot. */
export interface SlotRow {
  source: string;
  slot: number;
  metric: (typeof JUDGED_METRICS)[number];
  key: string;
  total: number;
}

interface SignatureFinding {
  failures: number;
  reasons: Record<string, number>;
  /** Client addresses (IPv6 by /64) of the refused requests, with their counts. */
  addresses: Record<string, number>;
  sources: string[];
  /** Index of the first slot with such failures. */
  firstSlot: number | null;
}

interface SignatureJudgement {
  failing: SignatureFinding;
  probing: SignatureFinding;
}

const empty = (): SignatureFinding => ({ failures: 0, reasons: {}, addresses: {}, sources: [], firstSlot: null });
const add = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
};

/**
 * Whether failures beside `verified` deliveries are the sender failing (else probing): none of
 * its deliveries verified meanwhile, or they fell under half of what its rate before led to
 * expect. Failures in minutes without any verified delivery cannot be told from a sender whose
 * deliveries stopped, so they stay critical, as seed 003 has them.
 */
function senderFailing(verified: number, expected: number): boolean {
  return verified === 0 || verified < DROP * expected;
}

function countsBySource(rows: readonly SlotRow[]): Map<string, Map<number, SlotCounts>> {
  const bySource = new Map<string, Map<number, SlotCounts>>();
  for (const r of rows) {
    const slots = bySource.get(r.source) ?? new Map<number, SlotCounts>();
    bySource.set(r.source, slots);
    const c = slots.get(r.slot) ?? { verified: 0, failures: 0, reasons: {}, addresses: {} };
    slots.set(r.slot, c);
    if (r.metric === "accepted") c.verified += r.total;
    else if (r.metric === "signature_failure") {
      c.failures += r.total;
      c.reasons[r.key] = (c.reasons[r.key] ?? 0) + r.total;
    } else c.addresses[r.key] = (c.addresses[r.key] ?? 0) + r.total;
  }
  return bySource;
}

const record = (finding: SignatureFinding, source: string, slot: number, c: SlotCounts) => {
  finding.failures += c.failures;
  add(finding.reasons, c.reasons);
  add(finding.addresses, c.addresses);
  if (!finding.sources.includes(source)) finding.sources.push(source);
  finding.firstSlot = Math.min(finding.firstSlot ?? slot, slot);
};

const verifiedIn = (slots: Map<number, SlotCounts>, from: number, to: number) => {
  let n = 0;
  for (let i = from; i < to; i++) n += slots.get(i)?.verified ?? 0;
  return n;
};

/** For a period's report: each slot from `firstJudged` on against the BASELINE_SLOTS before it. Pure. */
export function judgeSignatureFailures(rows: readonly SlotRow[], firstJudged = BASELINE_SLOTS): SignatureJudgement {
  const judgement = { failing: empty(), probing: empty() };
  for (const [source, slots] of countsBySource(rows)) {
    for (const [slot, c] of [...slots].sort((a, b) => a[0] - b[0])) {
      if (slot < firstJudged || c.failures === 0) continue;
      const before = verifiedIn(slots, slot - BASELINE_SLOTS, slot);
      record(senderFailing(c.verified, before / BASELINE_SLOTS) ? judgement.failing : judgement.probing, source, slot, c);
    }
  }
  return judgement;
}

/**
 * For the alert, per minute: the failures since the first one in the window, against the verified
 * deliveries of those same minutes and the source's rate in the `baselineMinutes` before them.
 * A sender whose deliveries all start failing is failing at the first heartbeat after; a stranger
 * beside a steady sender never is. Slots are minutes, `last` the current one. Pure.
 */
export function judgeRecentFailures(
  rows: readonly SlotRow[],
  windowStart: number,
  last: number,
  baselineMinutes: number,
): Map<string, SignatureJudgement> {
  const out = new Map<string, SignatureJudgement>();
  for (const [source, slots] of countsBySource(rows)) {
    const failed = [...slots].filter(([slot, c]) => slot >= windowStart && slot <= last && c.failures > 0).sort((a, b) => a[0] - b[0]);
    if (failed.length === 0) continue;
    const first = failed[0]![0];
    const before = verifiedIn(slots, first - baselineMinutes, first);
    const verified = verifiedIn(slots, first, last + 1);
    const judgement = { failing: empty(), probing: empty() };
    const finding = senderFailing(verified, (before / baselineMinutes) * (last + 1 - first)) ? judgement.failing : judgement.probing;
    for (const [slot, c] of failed) record(finding, source, slot, c);
    out.set(source, judgement);
  }
  return out;
}

/** "203.0.113.7 (3), 2001:db8:1:2::/64 (2)": the busiest addresses first, at most `max`. */
function describeAddresses(addresses: Record<string, number>, max = 5): string {
  const sorted = Object.entries(addresses).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, max).map(([a, n]) => `${a} (${n})`);
  return sorted.length > max ? `${shown.join(", ")} and ${sorted.length - max} more` : shown.join(", ");
}

/** The rollup key for a refused request's address: one per IPv4 address or IPv6 /64, so rotating addresses in one network is one key. */
export function addressKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(":")) return ip.slice(0, 45);
  const groups = ip.split("::");
  const head = groups[0]!.split(":").filter(Boolean);
  const tail = groups.length > 1 ? (groups[1] ?? "").split(":").filter(Boolean) : [];
  const full = groups.length > 1 ? [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail] : head;
  return `${full.slice(0, 4).join(":").toLowerCase()}::/64`;
}

/** The report's warning for probing: grouped into one flag, with the addresses it came from. */
export function probingFlag(probing: { failures: number; addresses: Record<string, number> }, at: number) {
  return {
    severity: "warning" as const,
    kind: "signature_probing" as const,
    at,
    message: `${probing.failures} unsigned or forged request(s) beside normally flowing verified deliveries (probing, not the sender): from ${describeAddresses(probing.addresses)}`,
  };
}
