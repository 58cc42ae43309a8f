import { describe, expect, it } from "vitest";
import { detectRegressions, type Observation, type RegressionSettings } from "../../src/regression/detect.js";
import { fisherGreater, holm, mannWhitneyGreater, normalUpperTail } from "../../src/regression/stats.js";
import { LATENCY_BOUNDS } from "../../src/stability/latency.js";

/** A seeded generator (mulberry32): the same weeks on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("the tests", () => {
  it("Fisher's exact test matches the tea-tasting table (one-sided p = 17/70)", () => {
    expect(fisherGreater(3, 4, 1, 4)).toBeCloseTo(17 / 70, 10);
    expect(fisherGreater(0, 10, 5, 100)).toBeCloseTo(1, 10);
    // 12 errors in 100 now against 10 in 1,000: far beyond chance.
    expect(fisherGreater(12, 100, 10, 1000)).toBeLessThan(1e-6);
  });

  // The log-gamma terms carry ~1e-10 relative error at a week's counts, summed term by term or not.
  it("Fisher's exact test equals the exact hypergeometric tail (integer arithmetic) to 1e-9, small tables and a day's counts alike", () => {
    const choose = (n: number, k: number) => {
      let r = 1n;
      for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
      return r;
    };
    // Σ C(k, x) C(n − k, n1 − x) / C(n, n1) over x ≥ a, as a float from the exact fraction.
    const exact = (a: number, n1: number, c: number, n2: number) => {
      const k = a + c;
      let num = 0n;
      for (let x = a; x <= Math.min(k, n1); x++) num += choose(k, x) * choose(n2 + n1 - k, n1 - x);
      const den = choose(n1 + n2, n1);
      const scale = 10n ** 40n;
      return Number((num * scale) / den) / 1e40;
    };
    const random = rng(11);
    const tables: [number, number, number, number][] = [
      [3, 4, 1, 4],
      [0, 10, 5, 100],
      [12, 100, 10, 1000],
      [120, 1500, 700, 10_500],
      [95, 1500, 700, 10_500],
      [1500, 1500, 0, 10_500],
    ];
    for (let i = 0; i < 60; i++) {
      const [n1, n2] = [1 + Math.floor(random() * 1500), 1 + Math.floor(random() * 3000)];
      const rate = random() * 0.3;
      tables.push(
        [Math.floor(n1 * rate * (0.5 + random())), n1, Math.floor(n2 * rate), n2].map((v, j) => (j === 0 ? Math.min(v, n1) : v)) as [
          number,
          number,
          number,
          number,
        ],
      );
    }
    for (const t of tables) {
      const want = exact(...t);
      const got = fisherGreater(...t);
      expect({ t, close: Math.abs(got - want) <= 1e-9 * want || Math.abs(got - want) < 1e-15 }).toEqual({
        t,
        close: true,
      });
    }
  });

  it("the normal tail and Mann-Whitney on buckets", () => {
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(-1.959964)).toBeCloseTo(0.975, 6);
    const same = mannWhitneyGreater([10, 20, 10], [100, 200, 100]);
    expect(same.effect).toBeCloseTo(0.5, 10);
    expect(same.p).toBeGreaterThan(0.4);
    const slower = mannWhitneyGreater([0, 5, 35], [100, 200, 100]);
    expect(slower.effect).toBeGreaterThan(0.8);
    expect(slower.p).toBeLessThan(1e-6);
  });

  it("Holm rejects step by step at α / (m − rank)", () => {
    expect(holm([0.001, 0.01, 0.04], 0.05)).toEqual([true, true, true]);
    expect(holm([0.001, 0.03, 0.04], 0.05)).toEqual([true, false, false]);
    expect(holm([0.03, 0.001, 0.04], 0.05)).toEqual([false, true, false]);
  });
});

// 1,000 steady weeks simulated at the level of the counts: eight days of hours, each with 60
// deliveries (1 % errors), 60 replies (log-normal around 800 ms) and 10 judged conversations
// (20 % unfulfilled, split over two categories; 5 % flagged off-topic; each costing the bot a
// log-normal amount around $0.01, binned to a micro-dollar as stored). Nothing changes, so
// every alarm is a false one.
function steadyWeek(random: () => number): Observation[] {
  const HOURS = 192;
  const binomial = (n: number, p: number) => {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const bucketOf = (ms: number) => {
    const i = LATENCY_BOUNDS.findIndex((b) => ms <= b);
    return i < 0 ? LATENCY_BOUNDS.length : i;
  };
  const hours = Array.from({ length: HOURS }, () => {
    const buckets = Array.from({ length: LATENCY_BOUNDS.length + 1 }, () => 0);
    for (let i = 0; i < 60; i++) buckets[bucketOf(800 * Math.exp(0.35 * gauss()))]!++;
    const unfulfilled = binomial(10, 0.2);
    const a = binomial(unfulfilled, 0.5);
    return {
      deliveries: 240,
      errors: binomial(240, 0.01),
      buckets,
      judged: 10,
      unfulfilled,
      a,
      b: unfulfilled - a,
      offTopic: binomial(10, 0.05),
      costs: Array.from({ length: 10 }, () => Math.round(1e6 * 0.01 * Math.exp(0.5 * gauss())) / 1e6),
    };
  });
  type Hour = (typeof hours)[number];
  const sum = (hs: Hour[], f: (h: Hour) => number) => hs.reduce((s, h) => s + f(h), 0);
  const sumBuckets = (hs: Hour[]) =>
    hs.reduce(
      (acc, h) => acc.map((v, i) => v + h.buckets[i]!),
      Array.from({ length: LATENCY_BOUNDS.length + 1 }, () => 0),
    );
  const costs = (hs: Hour[]) => {
    const n = new Map<number, number>();
    for (const usd of hs.flatMap((h) => h.costs)) n.set(usd, (n.get(usd) ?? 0) + 1);
    return [...n].sort((a, b) => a[0] - b[0]).map(([usd, k]) => ({ usd, n: k }));
  };
  const last = HOURS - 1;
  const windows = [
    { label: "1 h", now: [hours[last]!], base: [1, 2, 3, 4, 5, 6, 7].map((d) => hours[last - 24 * d]!) },
    { label: "24 h", now: hours.slice(HOURS - 24), base: hours.slice(0, HOURS - 24) },
  ];
  return windows.flatMap(({ label, now, base }): Observation[] => {
    const rate = (metric: string, f: (h: Hour) => number, trials: (h: Hour) => number): Observation => ({
      kind: "rate",
      metric,
      scope: "x",
      window: label,
      now: { events: sum(now, f), trials: sum(now, trials) },
      baseline: { events: sum(base, f), trials: sum(base, trials) },
    });
    return [
      rate(
        "error rate",
        (h) => h.errors,
        (h) => h.deliveries,
      ),
      {
        kind: "latency",
        metric: "response time",
        scope: "x",
        window: label,
        now: sumBuckets(now),
        baseline: sumBuckets(base),
        nowP95Ms: null,
        baselineP95Ms: null,
      },
      rate(
        "unfulfilled rate",
        (h) => h.unfulfilled,
        (h) => h.judged,
      ),
      rate(
        "failure rate a",
        (h) => h.a,
        (h) => h.judged,
      ),
      rate(
        "failure rate b",
        (h) => h.b,
        (h) => h.judged,
      ),
      rate(
        "quality flag off_topic",
        (h) => h.offTopic,
        (h) => h.judged,
      ),
      { kind: "cost", metric: "cost per conversation", scope: "x", window: label, now: costs(now), baseline: costs(base) },
    ];
  });
}

describe("false alarms on steady traffic", () => {
  const random = rng(20261204);
  const weeks = Array.from({ length: 1000 }, () => steadyWeek(random));
  const alarmed = (s: RegressionSettings) => {
    let [alarms, tested] = [0, 0];
    for (const week of weeks) {
      const result = detectRegressions(week, s);
      tested += result.tested;
      if (result.findings.length > 0) alarms++;
    }
    return { rate: alarms / weeks.length, tested };
  };

  it("1,000 steady weeks under the default settings raise a regression in at most α = 0.01 of them", () => {
    const { rate, tested } = alarmed({ alpha: 0.01, minSamples: 50, minRatio: 1.5, baselineDays: 7 });
    // One hour of conversations (10) is under the minimum sample: 9 tests a week, not 14.
    expect(tested).toBe(9000);
    expect(rate).toBeLessThanOrEqual(0.01);
  });

  // Without the minimum ratio the statistics alone decide. Holm holds the chance of any false alarm
  // at α, so the rate over 1,000 weeks scatters around α itself: allowed up to the binomial 99.5 %
  // bound (α + 2.58 σ). Measured on these weeks: 6 and 38 alarms (defaults: 4), cost per
  // conversation in 1 and 5 of them.
  it.each([0.01, 0.05])("without a minimum ratio the false-alarm rate is α = %s within sampling error", (alpha) => {
    const { rate } = alarmed({ alpha, minSamples: 50, minRatio: 1, baselineDays: 7 });
    expect(rate).toBeLessThanOrEqual(alpha + 2.58 * Math.sqrt((alpha * (1 - alpha)) / weeks.length));
    expect(rate).toBeGreaterThan(0);
  });
});
