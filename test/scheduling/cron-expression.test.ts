import { describe, expect, it } from "vitest";
import { firesBetween, parseCron } from "../../src/shared/cron-expression.js";

const at = (iso: string) => new Date(iso);

describe("parseCron", () => {
  it("matches steps, ranges and lists in UTC", () => {
    const every5 = parseCron("*/5 * * * *");
    expect(every5.matches(at("2026-11-23T10:05:00Z"))).toBe(true);
    expect(every5.matches(at("2026-11-23T10:06:00Z"))).toBe(false);
    const fourHourly = parseCron("0 */4 * * *");
    expect(["00", "04", "08", "12", "16", "20"].every((h) => fourHourly.matches(at(`2026-11-23T${h}:00:00Z`)))).toBe(true);
    expect(fourHourly.matches(at("2026-11-23T05:00:00Z"))).toBe(false);
    expect(fourHourly.matches(at("2026-11-23T04:01:00Z"))).toBe(false);
    const weekdays = parseCron("30 9-17/2 * * 1-5");
    expect(weekdays.matches(at("2026-11-23T09:30:00Z"))).toBe(true); // Monday
    expect(weekdays.matches(at("2026-11-22T09:30:00Z"))).toBe(false); // Sunday
    expect(weekdays.matches(at("2026-11-23T10:30:00Z"))).toBe(false);
    expect(parseCron("0 0 1,15 * *").matches(at("2026-11-15T00:00:00Z"))).toBe(true);
  });

  it("ORs day of month and day of week when both are restricted", () => {
    const cron = parseCron("0 0 1 * 0");
    expect(cron.matches(at("2026-11-01T00:00:00Z"))).toBe(true);
    expect(cron.matches(at("2026-11-22T00:00:00Z"))).toBe(true); // a Sunday
    expect(cron.matches(at("2026-11-23T00:00:00Z"))).toBe(false);
  });

  it.each(["* * * *", "60 * * * *", "*/0 * * * *", "a * * * *", "5-1 * * * *"])("rejects %s", (expr) => {
    expect(() => parseCron(expr)).toThrow(/cron/);
  });

  it("lists fires in a half-open window", () => {
    const start = Date.parse("2026-11-23T00:00:00Z");
    const fires = firesBetween(parseCron("0 */4 * * *"), start, start + 12 * 3600_000);
    expect(fires.map((f) => new Date(f).toISOString())).toEqual([
      "2026-11-23T04:00:00.000Z",
      "2026-11-23T08:00:00.000Z",
      "2026-11-23T12:00:00.000Z",
    ]);
    expect(firesBetween(parseCron("* * * * *"), start, start + 3600_000, 2)).toHaveLength(2);
  });
});
