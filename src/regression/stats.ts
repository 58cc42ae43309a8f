// The tests behind regression detection, one-sided ("worse now than the baseline"), exact where the
// counts are small: Fisher's exact test for rates, the Mann-Whitney U test for latencies (on the
// rollups' histogram buckets: tied within a bucket, with the tie correction), Holm's step-down
// procedure across every test of one evaluation, so the chance of any false alarm stays at α.

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}
const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * One-sided Fisher exact test: the probability of at least `a` events among `n1` trials now when
 * now and the baseline (`c` of `n2`) share one rate (hypergeometric upper tail).
 */
export function fisherGreater(a: number, n1: number, c: number, n2: number): number {
  const k = a + c;
  const n = n1 + n2;
  const low = Math.max(0, k - n2);
  const high = Math.min(k, n1);
  if (a <= low) return 1;
  if (a > high) return 0;
  // The probabilities rise to the mode and fall after it. Summing a day's counts term by term from
  // their log-binomials cost the report ~10 ms (thousands of terms, six log-gammas each): instead,
  // the tail away from the mode is summed from its largest term, each next term from the last by
  // their ratio, until what is left (a geometric bound: the ratios shrink) cannot change the sum.
  const mode = Math.floor(((n1 + 1) * (k + 1)) / (n + 2));
  const pmf = (x: number) => Math.exp(logChoose(k, x) + logChoose(n - k, n1 - x) - logChoose(n, n1));
  const tail = (from: number, step: 1 | -1, ratio: (x: number) => number) => {
    let term = pmf(from);
    let sum = term;
    for (let x = from; x + step >= low && x + step <= high; x += step) {
      const r = ratio(x);
      term *= r;
      sum += term;
      if (r < 1 && (term * r) / (1 - r) <= sum * 1e-17) break;
    }
    return sum;
  };
  // P(x + 1) / P(x) above the mode; P(x − 1) / P(x) below it.
  if (a > mode)
    return Math.min(
      1,
      tail(a, 1, (x) => ((k - x) * (n1 - x)) / ((x + 1) * (n - k - n1 + x + 1))),
    );
  return Math.max(0, 1 - tail(a - 1, -1, (x) => (x * (n - k - n1 + x)) / ((k - x + 1) * (n1 - x + 1))));
}

/** The standard normal upper tail, 1 − Φ(z), from Numerical Recipes' Chebyshev fit of erfc (relative error < 1.2e-7). */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * One-sided Mann-Whitney U test on binned samples (`now[i]`, `base[i]`: how many fell in the i-th
 * ordered bucket): is a value now larger than a baseline value more often than not? Normal
 * approximation with the tie correction and a continuity correction. `effect` is U / (n1·n2), the
 * probability that a value now exceeds a baseline one (ties counted half): 0.5 is no change.
 */
export function mannWhitneyGreater(now: readonly number[], base: readonly number[]): { p: number; effect: number } {
  const n1 = now.reduce((s, v) => s + v, 0);
  const n2 = base.reduce((s, v) => s + v, 0);
  const n = n1 + n2;
  let u = 0;
  let below = 0;
  let ties = 0;
  for (let i = 0; i < Math.max(now.length, base.length); i++) {
    const [x, y] = [now[i] ?? 0, base[i] ?? 0];
    u += x * (below + y / 2);
    below += y;
    const t = x + y;
    ties += t * t * t - t;
  }
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (!(variance > 0)) return { p: 1, effect: 0.5 };
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  return { p: normalUpperTail(z), effect: u / (n1 * n2) };
}

/** Holm's step-down procedure: which of the p-values are significant with the family-wise error rate held at `alpha`. */
export function holm(pValues: readonly number[], alpha: number): boolean[] {
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const significant = pValues.map(() => false);
  for (const [rank, [p, i]] of order.entries()) {
    if (p > alpha / (pValues.length - rank)) break;
    significant[i] = true;
  }
  return significant;
}
