import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { latencySummary, passAtK, passPowK, percentile, reduceCase, summarize, usageTotals } from "../../../app/core/evals/reduce.ts";
import { modelCall } from "./eval-fixtures.ts";

/** mulberry32: a small seeded generator, so the simulation draws the same trials every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function choose(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

describe("passAtK", () => {
  it.each([
    // n, c, k, 1 − C(n−c,k)/C(n,k) worked by hand
    [5, 2, 1, 1 - 3 / 5],
    [5, 2, 2, 1 - 3 / 10],
    [5, 2, 3, 1 - 1 / 10],
    [5, 2, 4, 1],
    [10, 3, 5, 1 - 21 / 252],
    [10, 0, 3, 0],
    [10, 10, 1, 1],
    [3, 1, 3, 1],
    [3, 0, 3, 0],
    [0, 0, 1, 0],
  ])("n=%i c=%i k=%i is %f", (n, c, k, expected) => {
    expect(passAtK(n, c, k)).toBeCloseTo(expected, 12);
  });

  it("equals the binomial formula for every small n, c, k", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer({ min: 1, max: n }))), ([n, c, k]) => {
        expect(passAtK(n, c, k)).toBeCloseTo(1 - choose(n - c, k) / choose(n, k), 9);
        expect(passPowK(n, c, k)).toBeCloseTo(choose(c, k) / choose(n, k), 9);
      }),
    );
  });

  it.each([
    [5, 6, 1],
    [5, 2, 0],
    [5, 2, 6],
    [2.5, 1, 1],
  ])("refuses n=%s c=%s k=%s", (n, c, k) => {
    expect(() => passAtK(n, c, k)).toThrow(RangeError);
  });
});

describe("passPowK", () => {
  it.each([
    [5, 3, 2, 3 / 10],
    [5, 3, 3, 1 / 10],
    [5, 3, 4, 0],
    [10, 7, 3, 35 / 120],
    [4, 4, 4, 1],
    [4, 3, 1, 3 / 4],
    [0, 0, 1, 0],
  ])("n=%i c=%i k=%i is %f", (n, c, k, expected) => {
    expect(passPowK(n, c, k)).toBeCloseTo(expected, 12);
  });
});

describe("pass@k and pass^k on simulated trials", () => {
  // A case whose trials pass with probability p: averaged over many cases of n trials,
  // the estimators converge to 1 − (1 − p)^k and p^k (they are unbiased).
  it.each([
    [0.3, 1],
    [0.3, 3],
    [0.3, 8],
    [0.8, 2],
    [0.8, 5],
    [0.05, 10],
  ])("estimate p=%f k=%i without bias", (p, k) => {
    const random = seeded(Math.round(p * 1000) * 31 + k);
    const n = 20;
    const cases = 4000;
    let sumAt = 0;
    let sumPow = 0;
    for (let i = 0; i < cases; i++) {
      let c = 0;
      for (let t = 0; t < n; t++) if (random() < p) c++;
      sumAt += passAtK(n, c, k);
      sumPow += passPowK(n, c, k);
    }
    // Four thousand cases put the mean within about 0.01 of the truth; 0.02 is over three standard errors.
    expect(Math.abs(sumAt / cases - (1 - (1 - p) ** k))).toBeLessThan(0.02);
    expect(Math.abs(sumPow / cases - p ** k)).toBeLessThan(0.02);
  });
});

describe("reduceCase", () => {
  it("counts errored trials as failed and uses k = the trials run", () => {
    expect(reduceCase(["passed", "errored", "failed", "passed"])).toEqual({ passRate: 0.5, passAtK: 1, passPowK: 0 });
    expect(reduceCase(["passed", "passed"])).toEqual({ passRate: 1, passAtK: 1, passPowK: 1 });
    expect(reduceCase(["errored"])).toEqual({ passRate: 0, passAtK: 0, passPowK: 0 });
    expect(reduceCase([])).toEqual({ passRate: 0, passAtK: 0, passPowK: 0 });
  });
});

describe("summarize", () => {
  it("counts every case-trial", () => {
    const cases = [{ trials: [{ status: "passed" as const }, { status: "failed" as const }] }, { trials: [{ status: "errored" as const }, { status: "passed" as const }] }];
    expect(summarize(cases)).toEqual({ cases: 2, trials: 4, passed: 2, failed: 1, errored: 1, passRate: 0.5 });
    expect(summarize([])).toEqual({ cases: 0, trials: 0, passed: 0, failed: 0, errored: 0, passRate: 0 });
  });
});

describe("percentile and latencySummary", () => {
  it.each([
    [[5], 50, 5],
    [[1, 2, 3, 4], 50, 2],
    [[4, 3, 2, 1], 95, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 95, 95],
    [Array.from({ length: 20 }, (_, i) => (i + 1) * 10), 95, 190],
    [[], 50, 0],
  ])("of %j at %i is %i (nearest rank)", (values, q, expected) => {
    expect(percentile(values, q)).toBe(expected);
  });

  it("sums trial times", () => {
    expect(latencySummary([300, 100, 200])).toEqual({ total: 600, p50: 200, p95: 300 });
  });
});

describe("usageTotals", () => {
  it("adds every token kind and counts requests", () => {
    const calls = [modelCall("m", { inputTokens: 10, outputTokens: 1, cacheCreationInputTokens: 100 }), modelCall("m", { inputTokens: 5, outputTokens: 2, cacheReadInputTokens: 100 })];
    expect(usageTotals(calls)).toEqual({ requests: 2, inputTokens: 15, outputTokens: 3, cacheCreationInputTokens: 100, cacheReadInputTokens: 100 });
  });
});
