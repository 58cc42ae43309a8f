import { describe, expect, it } from "vitest";
import { decide, fingerprintOf, type AlertAction, type FiringLabels, type OpenAlert } from "../../src/alerts/decide.js";
import { ruleSchema, type Rule } from "../../src/alerts/rules.js";
import type { Candidate } from "../../src/alerts/signals.js";
import type { Silence } from "../../src/alerts/silences.js";

// decide() is pure: each case is the open alerts, the conditions holding now and the rule, and
// the actions expected — no database, no clock.
const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 5, 12, 0, 30);
const rule = (over: Partial<Rule> = {}): Rule => ({
  ...ruleSchema.parse({
    name: "error_rate",
    signal: "error_rate",
    severity: "medium",
    channels: ["console", "slack"],
    windowMinutes: 60,
    repeatMinutes: 60,
  }),
  ...over,
});
const cand = (source: string, summary = `errors from ${source}`): Candidate => ({ labels: { source }, summary });
let nextId = 1;
const alert = (source: string, over: Partial<OpenAlert> = {}): OpenAlert => ({
  id: nextId++,
  state: "firing",
  consecutive: 1,
  startedAt: NOW - 30 * MIN,
  firedAt: NOW - 30 * MIN,
  clearedAt: null,
  lastNotifiedAt: NOW - 30 * MIN,
  ackedAt: null,
  labels: { source },
  summary: `errors from ${source}`,
  ...over,
});
const openOf = (r: Rule, alerts: OpenAlert[]) => new Map(alerts.map((a) => [fingerprintOf(r.name, a.labels), a]));

interface Case {
  name: string;
  rule?: Partial<Rule>;
  open?: OpenAlert[];
  candidates: Candidate[];
  silences?: Silence[];
  firing?: FiringLabels;
  /** The actions expected, compared field by field (ids are matched through `open`). */
  expect: (open: OpenAlert[]) => Partial<AlertAction>[];
  muted?: number;
}

const pendingSince = (minutes: number, over: Partial<OpenAlert> = {}) =>
  alert("bot", { state: "pending", startedAt: NOW - minutes * MIN, firedAt: null, lastNotifiedAt: null, ...over });

const CASES: Case[] = [
  {
    name: "a new condition fires at once and notifies the rule's channels",
    candidates: [cand("bot")],
    expect: () => [{ type: "open", state: "firing", notify: ["console", "slack"], reason: "errors from bot" }],
  },
  {
    name: "with forEvaluations it waits, saying nothing",
    rule: { forEvaluations: 3 },
    candidates: [cand("bot")],
    expect: () => [{ type: "open", state: "pending", notify: [] }],
  },
  {
    name: "with a group wait it waits, saying nothing",
    rule: { groupWaitSeconds: 120 },
    candidates: [cand("bot")],
    expect: () => [{ type: "open", state: "pending", notify: [] }],
  },
  {
    name: "pending → firing once the condition held for the rule's evaluations (minutes)",
    rule: { forEvaluations: 3 },
    open: [pendingSince(2)],
    candidates: [cand("bot")],
    expect: ([a]) => [{ type: "transition", alertId: a!.id, from: "pending", to: "firing", notify: ["console", "slack"] }],
  },
  {
    name: "pending stays pending one minute short, counting the minutes held",
    rule: { forEvaluations: 3 },
    open: [pendingSince(1)],
    candidates: [cand("bot")],
    expect: ([a]) => [{ type: "hold", alertId: a!.id, consecutive: 2 }],
  },
  {
    name: "pending stays pending until the group wait has passed",
    rule: { groupWaitSeconds: 300 },
    open: [pendingSince(4)],
    candidates: [cand("bot")],
    expect: ([a]) => [{ type: "hold", alertId: a!.id }],
  },
  {
    name: "pending → firing after the group wait",
    rule: { groupWaitSeconds: 300 },
    open: [pendingSince(5)],
    candidates: [cand("bot")],
    expect: ([a]) => [{ type: "transition", alertId: a!.id, to: "firing" }],
  },
  {
    name: "pending that clears is resolved without a word",
    open: [pendingSince(1)],
    candidates: [],
    expect: ([a]) => [{ type: "transition", alertId: a!.id, from: "pending", to: "resolved", notify: [], reason: "cleared before firing" }],
  },
  {
    name: "firing and not yet due: nothing to do",
    open: [alert("bot", { lastNotifiedAt: NOW - 10 * MIN })],
    candidates: [cand("bot")],
    expect: () => [],
  },
  {
    name: "firing with a new summary: the summary follows, no message",
    open: [alert("bot", { lastNotifiedAt: NOW - 10 * MIN })],
    candidates: [cand("bot", "20 errors")],
    expect: ([a]) => [{ type: "refresh", alertId: a!.id, summary: "20 errors" }],
  },
  {
    name: "firing and due: a repeat, guarded by when it last notified",
    open: [alert("bot", { lastNotifiedAt: NOW - 60 * MIN })],
    candidates: [cand("bot")],
    expect: ([a]) => [{ type: "repeat", alertId: a!.id, kind: "repeat", lastNotifiedAt: NOW - 60 * MIN }],
  },
  {
    name: "firing but never announced (was muted): its first message is a firing, not a repeat",
    open: [alert("bot", { lastNotifiedAt: null })],
    candidates: [cand("bot")],
    expect: ([a]) => [{ type: "repeat", alertId: a!.id, kind: "firing" }],
  },
  {
    name: "acknowledged: no repeats",
    open: [alert("bot", { lastNotifiedAt: NOW - 120 * MIN, ackedAt: NOW - 100 * MIN })],
    candidates: [cand("bot")],
    expect: () => [],
  },
  {
    name: "no configured channel: no repeat",
    rule: { channels: [] },
    open: [alert("bot", { lastNotifiedAt: NOW - 120 * MIN })],
    candidates: [cand("bot")],
    expect: () => [],
  },
  {
    name: "silenced: fires but notifies nobody, and says why",
    candidates: [cand("bot")],
    silences: [{ id: 7, matchers: { source: "bot" }, startsAt: NOW - MIN, endsAt: NOW + MIN, comment: "deploy" }],
    expect: () => [{ type: "open", state: "firing", notify: [], reason: "errors from bot — silenced by #7 (deploy)" }],
    muted: 1,
  },
  {
    name: "a silence for another rule does not mute",
    candidates: [cand("bot")],
    silences: [{ id: 8, matchers: { rule: "response_time" }, startsAt: NOW - MIN, endsAt: NOW + MIN, comment: "x" }],
    expect: () => [{ type: "open", notify: ["console", "slack"] }],
  },
  {
    name: "inhibited while zero_deliveries fires for the same source",
    candidates: [cand("bot"), cand("other")],
    firing: new Map([["zero_deliveries", [{ source: "bot" }]]]),
    expect: () => [
      { type: "open", labels: { source: "bot" }, notify: [], reason: "errors from bot — inhibited while zero_deliveries fires" },
      { type: "open", labels: { source: "other" }, notify: ["console", "slack"] },
    ],
    muted: 1,
  },
  {
    name: "a muted pending alert fires without a message",
    rule: { forEvaluations: 2 },
    open: [pendingSince(1)],
    candidates: [cand("bot")],
    firing: new Map([["zero_deliveries", [{ source: "bot" }]]]),
    expect: ([a]) => [{ type: "transition", alertId: a!.id, to: "firing", notify: [] }],
    muted: 1,
  },
  {
    name: "cleared: resolved with a message",
    open: [alert("bot")],
    candidates: [],
    expect: ([a]) => [
      { type: "transition", alertId: a!.id, from: "firing", to: "resolved", notify: ["console", "slack"], reason: "condition cleared" },
    ],
  },
  {
    name: "cleared, never announced: resolved silently",
    open: [alert("bot", { lastNotifiedAt: null })],
    candidates: [],
    expect: ([a]) => [{ type: "transition", alertId: a!.id, to: "resolved", notify: [] }],
  },
  {
    name: "cleared with notifyResolved false: resolved silently",
    rule: { notifyResolved: false },
    open: [alert("bot")],
    candidates: [],
    expect: ([a]) => [{ type: "transition", alertId: a!.id, to: "resolved", notify: [] }],
  },
  {
    name: "flap hold: a firing alert that clears is only marked cleared",
    rule: { flapMinutes: 10 },
    open: [alert("bot")],
    candidates: [],
    expect: ([a]) => [{ type: "clear", alertId: a!.id }],
  },
  {
    name: "flap hold: still within the hold, nothing to do",
    rule: { flapMinutes: 10 },
    open: [alert("bot", { clearedAt: NOW - 9 * MIN })],
    candidates: [],
    expect: () => [],
  },
  {
    name: "flap hold: past the hold it resolves",
    rule: { flapMinutes: 10 },
    open: [alert("bot", { clearedAt: NOW - 10 * MIN })],
    candidates: [],
    expect: ([a]) => [{ type: "transition", alertId: a!.id, to: "resolved", notify: ["console", "slack"] }],
  },
  {
    name: "flap hold: back within the hold, it stays firing and the clear is cancelled",
    rule: { flapMinutes: 10 },
    open: [alert("bot", { clearedAt: NOW - 3 * MIN, lastNotifiedAt: NOW - 5 * MIN })],
    candidates: [cand("bot")],
    expect: ([a]) => [{ type: "refresh", alertId: a!.id }],
  },
  {
    name: "the same labels twice are one alert",
    candidates: [cand("bot"), cand("bot", "again")],
    expect: () => [{ type: "open", summary: "errors from bot" }],
  },
];

describe("decide", () => {
  it.each(CASES)("$name", (c) => {
    const r = rule(c.rule);
    const open = c.open ?? [];
    const d = decide(openOf(r, open), c.candidates, r, c.silences ?? [], NOW, c.firing);
    const expected = c.expect(open);
    expect(d.actions, `actions: ${JSON.stringify(d.actions)}`).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(d.actions[i], `action ${i}`).toMatchObject(e));
    expect(d.muted, "muted count").toBe(c.muted ?? 0);
    expect(d.groupKey).toBe(`${r.name}@${NOW}`);
  });

  it("caps new instances per rule: 19 admitted and one overflow alert summarising the rest", () => {
    const r = rule();
    const candidates = Array.from({ length: 30 }, (_, i) => cand(`s${i}`));
    const d = decide(new Map(), candidates, r, [], NOW);
    const opened = d.actions.filter((a): a is Extract<AlertAction, { type: "open" }> => a.type === "open");
    expect(opened).toHaveLength(20);
    expect(opened.at(-1)!.labels).toEqual({ overflow: "true" });
    expect(opened.at(-1)!.summary).toMatch(/^11 more conditions/);
  });

  it("keeps tracking alerts already open when the cap is reached, and admits no new one", () => {
    const r = rule();
    const open = Array.from({ length: 20 }, (_, i) => alert(`s${i}`, { lastNotifiedAt: NOW - MIN }));
    const d = decide(openOf(r, open), [...open.map((a) => cand(a.labels.source!)), cand("new")], r, [], NOW);
    // Everything open is still true (no resolve); the newcomer only shows up as the overflow alert.
    expect(d.actions.filter((a) => a.type === "transition")).toEqual([]);
    expect(d.actions.filter((a) => a.type === "open").map((a) => (a as { labels: unknown }).labels)).toEqual([{ overflow: "true" }]);
  });
});
