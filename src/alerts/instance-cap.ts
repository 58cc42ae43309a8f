import type { Candidate } from "./signals.js";

/** At most this many open alerts per rule; the rest are one `overflow` alert. */
const MAX_OPEN_ALERTS_PER_RULE = 20;
const OVERFLOW_LABELS = { overflow: "true" } as const;

/**
 * Keeps a flood of label values (500 made-up sources, thousands of failed runs) from becoming
 * as many alerts and notifications: alerts already open stay tracked, new ones are admitted while
 * the rule has room, and everything past that is summarised by a single overflow alert.
 */
export function capCandidates(
  candidates: Candidate[],
  isOpen: (c: Candidate) => boolean,
  openCount: number,
  cap = MAX_OPEN_ALERTS_PER_RULE,
): Candidate[] {
  const tracked = candidates.filter(isOpen);
  const fresh = candidates.filter((c) => !isOpen(c));
  const room = cap - openCount;
  if (fresh.length <= room) return candidates;
  // One place is kept for the overflow alert itself.
  const admitted = fresh.slice(0, Math.max(0, room - 1));
  const rest = fresh.slice(admitted.length);
  const examples = rest
    .slice(0, 3)
    .map((c) => c.summary)
    .join("; ");
  const overflow: Candidate = {
    labels: { ...OVERFLOW_LABELS },
    summary: `${rest.length} more conditions not listed one by one (at most ${cap} alerts per rule), e.g. ${examples}`,
  };
  return [...tracked.filter((c) => !isOverflow(c)), ...admitted, overflow];
}

const isOverflow = (c: Candidate) => c.labels.overflow === OVERFLOW_LABELS.overflow && Object.keys(c.labels).length === 1;
