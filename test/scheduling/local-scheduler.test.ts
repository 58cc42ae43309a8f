import { afterEach, describe, expect, it, vi } from "vitest";
import { createLocalScheduler, dueAt } from "../../src/scheduling/local-scheduler.js";
import { cronEntries, DEFAULT_SCHEDULES } from "../../src/scheduling/schedules.js";
import { captureLogs } from "../helpers/deps.js";

const HB = "/api/cron/heartbeat";
const MON = "/api/cron/monitor";
const CP = "/api/cron/checkpoint";

afterEach(() => vi.useRealTimers());
const entries = cronEntries(DEFAULT_SCHEDULES);

describe("dueAt (the default schedules)", () => {
  it.each([
    ["2026-11-23T00:00:00Z", [HB, MON, CP]],
    ["2026-11-23T00:01:00Z", [HB]],
    ["2026-11-23T00:05:00Z", [HB, MON]],
    ["2026-11-23T03:55:00Z", [HB, MON]],
    ["2026-11-23T04:00:00Z", [HB, MON, CP]],
    ["2026-11-23T05:00:00Z", [HB, MON]],
    ["2026-11-23T20:00:30Z", [HB, MON, CP]],
  ])("at %s fires %j", (iso, paths) => {
    expect(dueAt(entries, Date.parse(iso)).sort()).toEqual([...paths].sort());
  });
});

describe("createLocalScheduler under a fake clock", () => {
  it("fires the right paths at the right minutes over 8 hours", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-11-23T00:00:30Z") });
    const fired: { path: string; at: string }[] = [];
    const scheduler = createLocalScheduler({
      entries,
      fire: async (path) => void fired.push({ path, at: new Date(Date.now()).toISOString().slice(11, 16) }),
      log: captureLogs().logger,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(8 * 3600_000);
    await scheduler.stop(1000);

    const by = (path: string) => fired.filter((f) => f.path === path).map((f) => f.at);
    expect(by(HB)).toHaveLength(8 * 60);
    expect(by(MON)).toHaveLength(8 * 12);
    expect(by(MON).every((t) => Number(t.slice(3)) % 5 === 0)).toBe(true);
    expect(by(CP)).toEqual(["04:00", "08:00"]);
    // Nothing fires after stop.
    const count = fired.length;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(fired).toHaveLength(count);
  });

  it("stop waits for a running call, bounded by the grace period", async () => {
    let finish!: () => void;
    const scheduler = createLocalScheduler({
      entries,
      fire: () => new Promise<void>((resolve) => (finish = resolve)),
      log: captureLogs().logger,
    });
    scheduler.tick(Date.parse("2026-11-23T00:01:00Z"));
    expect(await scheduler.stop(50)).toBe(false);

    const waiting = scheduler.stop(5000);
    finish();
    expect(await waiting).toBe(true);
  });

  it("logs a failed call and keeps going", async () => {
    const logs = captureLogs();
    const scheduler = createLocalScheduler({
      entries,
      fire: async () => {
        throw new Error("connection refused");
      },
      log: logs.logger,
    });
    scheduler.tick(Date.parse("2026-11-23T00:01:00Z"));
    await scheduler.stop(1000);
    expect(logs.records().some((r) => r.msg === "scheduled call failed" && r.path === HB)).toBe(true);
  });
});
