/**
 * The statistical test of an A/B decision (docs/ab-testing.md): Pearson's chi-square test of
 * homogeneity on the k×2 table (readers who clicked / did not, per variant), k − 1 degrees of freedom,
 * significance level 0.05. For two variants it is the two-proportion z-test (χ² = z²). Pure.
 */
export const ALPHA = 0.05;
/** Below this many delivered messages in any variant no test is run: the first subject wins. */
export const MIN_DELIVERED = 50;

export interface Proportion {
  /** Readers who clicked. */
  unique: number;
  /** Messages delivered. */
  delivered: number;
}

/** χ² of the k×2 table and its p-value; chiSquare 0 and pValue 1 when nobody (or everybody) clicked. */
export function chiSquareTest(groups: readonly Proportion[]): { chiSquare: number; pValue: number } {
  const n = groups.reduce((a, g) => a + g.delivered, 0);
  const clicked = groups.reduce((a, g) => a + g.unique, 0);
  if (n === 0 || clicked === 0 || clicked === n) return { chiSquare: 0, pValue: 1 };
  const p = clicked / n;
  let chiSquare = 0;
  for (const g of groups) {
    if (g.delivered === 0) continue;
    const expectedYes = g.delivered * p;
    const expectedNo = g.delivered * (1 - p);
    chiSquare += (g.unique - expectedYes) ** 2 / expectedYes + (g.delivered - g.unique - expectedNo) ** 2 / expectedNo;
  }
  const df = groups.filter((g) => g.delivered > 0).length - 1;
  return { chiSquare, pValue: df < 1 ? 1 : chiSquareTail(chiSquare, df) };
}

/** P(X ≥ x) for χ² with df 1, 2 or 3 (the closed forms; an A/B test has at most 4 variants). */
export function chiSquareTail(x: number, df: number): number {
  if (x <= 0) return 1;
  if (df === 1) return erfc(Math.sqrt(x / 2));
  if (df === 2) return Math.exp(-x / 2);
  if (df === 3) return erfc(Math.sqrt(x / 2)) + Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);
  throw new RangeError(`chi-square tail for ${df} degrees of freedom`);
}

/** The complementary error function: the Chebyshev fit of Numerical Recipes' erfcc, |error| < 1.2e-7 everywhere. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface AbVerdict {
  /** 0-based. */
  winner: number;
  reason: "significant" | "no-difference" | "too-small";
  chiSquare?: number;
  pValue?: number;
}

/**
 * The decision on the figures: too few deliveries in a variant → the first subject; no significant
 * difference → the first subject (the editor's first choice, written first); else the best rate
 * (on a tie of the best rates, the earlier subject).
 */
export function verdict(groups: readonly Proportion[], minDelivered = MIN_DELIVERED): AbVerdict {
  if (groups.some((g) => g.delivered < minDelivered)) return { winner: 0, reason: "too-small" };
  const { chiSquare, pValue } = chiSquareTest(groups);
  if (!(pValue < ALPHA)) return { winner: 0, reason: "no-difference", chiSquare, pValue };
  let best = 0;
  groups.forEach((g, i) => {
    if (g.unique / g.delivered > groups[best].unique / groups[best].delivered) best = i;
  });
  return { winner: best, reason: "significant", chiSquare, pValue };
}
