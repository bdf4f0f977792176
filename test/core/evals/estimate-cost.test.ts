import { describe, expect, it } from "vitest";
import { estimateCost, expectedTurns, type PriceOf, type VariantToEstimate } from "../../../app/core/evals/estimate-cost.ts";

/** $3 in, $15 out per million tokens: 3e-6 and 15e-6 a token. */
const priceOf: PriceOf = (model) => (model === "cheap" ? { inputPerMTok: 1, outputPerMTok: 5 } : { inputPerMTok: 3, outputPerMTok: 15 });

const counted = (tokens: number) => ({ tokens, local: false });

function variant(overrides: Partial<VariantToEstimate> = {}): VariantToEstimate {
  return {
    label: "head",
    model: "claude-sonnet-4-6",
    prefixTokens: counted(10_000),
    maxTurns: 10,
    cases: [{ id: "refund", inputTokens: counted(100), trials: 3, cachedTrials: 0, mockedTools: 0 }],
    ...overrides,
  };
}

describe("estimateCost", () => {
  it("prices a one-turn case: one warm-up write of the prefix, then per trial a cached read of it, the input and the output", () => {
    const estimate = estimateCost([variant()], priceOf);
    const warmUp = 10_000 * 1.25 * 3e-6;
    const trial = (10_000 * 0.1 + 100) * 3e-6 + 400 * 15e-6;
    const [head] = estimate.breakdown.variants;
    expect(head!.warmUpUsd).toBeCloseTo(warmUp, 12);
    expect(head!.cases[0]!.trialUsd).toBeCloseTo(trial, 12);
    expect(estimate.estimatedUsd).toBeCloseTo(warmUp + 3 * trial, 12);
    expect(head!.tokens).toEqual({ cacheWrite: 10_000, cacheRead: 30_000, input: 300, output: 1200 });
    expect(estimate.local).toBe(false);
  });

  it("grows each turn's input by the output and tool result before it, and calls once per mocked tool plus the answer", () => {
    const estimate = estimateCost([variant({ cases: [{ id: "lookup", inputTokens: counted(100), trials: 1, cachedTrials: 0, mockedTools: 2 }] })], priceOf);
    const one = estimate.breakdown.variants[0]!.cases[0]!;
    expect(one.turns).toBe(3);
    // Turns send 100, 100 + 600 and 100 + 1200 input tokens beyond the prefix.
    expect(estimate.breakdown.variants[0]!.tokens).toEqual({ cacheWrite: 10_000, cacheRead: 30_000, input: 2100, output: 1200 });
  });

  it("charges cached trials nothing, and a variant whose trials are all cached no warm-up", () => {
    const estimate = estimateCost(
      [
        variant({ cases: [{ id: "refund", inputTokens: counted(100), trials: 3, cachedTrials: 2, mockedTools: 0 }] }),
        variant({ label: "base", cases: [{ id: "refund", inputTokens: counted(100), trials: 3, cachedTrials: 3, mockedTools: 0 }] }),
      ],
      priceOf,
    );
    const [head, base] = estimate.breakdown.variants;
    expect([head!.liveTrials, head!.cachedTrials]).toEqual([1, 2]);
    expect(base).toMatchObject({ liveTrials: 0, cachedTrials: 3, warmUpUsd: 0, usd: 0 });
    expect(estimate.estimatedUsd).toBeCloseTo(head!.warmUpUsd + head!.cases[0]!.trialUsd, 12);
  });

  it("pays the prefix in full on every call when it is too short to be cached, and writes no warm-up", () => {
    const estimate = estimateCost([variant({ prefixTokens: counted(800) })], priceOf);
    const [head] = estimate.breakdown.variants;
    expect(head).toMatchObject({ prefixCached: false, warmUpUsd: 0, tokens: { cacheWrite: 0, cacheRead: 0, input: 3 * 900, output: 1200 } });
    expect(estimateCost([variant()], priceOf, { promptCaching: false }).breakdown.variants[0]!.tokens.cacheRead).toBe(0);
  });

  it("halves trial calls in a batch, but not the direct warm-up call", () => {
    const direct = estimateCost([variant()], priceOf).breakdown.variants[0]!;
    const batched = estimateCost([variant()], priceOf, { batch: true }).breakdown.variants[0]!;
    expect(batched.cases[0]!.trialUsd).toBeCloseTo(direct.cases[0]!.trialUsd / 2, 12);
    expect(batched.warmUpUsd).toBe(direct.warmUpUsd);
  });

  it("prices each variant with its own model and adds them up", () => {
    const estimate = estimateCost([variant(), variant({ label: "base", model: "cheap" })], priceOf);
    const [head, base] = estimate.breakdown.variants;
    expect(base!.usd).toBeCloseTo(head!.usd / 3, 12);
    expect(estimate.estimatedUsd).toBeCloseTo(head!.usd + base!.usd, 12);
  });

  it("says the estimate is local when any count behind it is", () => {
    const local = variant({ cases: [{ id: "refund", inputTokens: { tokens: 100, local: true }, trials: 1, cachedTrials: 0, mockedTools: 0 }] });
    expect(estimateCost([variant(), local], priceOf).local).toBe(true);
    expect(estimateCost([variant({ prefixTokens: { tokens: 10_000, local: true } })], priceOf).local).toBe(true);
  });

  it("returns the assumptions it used, with the caller's in place of the defaults", () => {
    expect(estimateCost([], priceOf, { outputTokensPerTurn: 50 }).breakdown.assumptions).toEqual({
      turnsPerTrial: null,
      outputTokensPerTurn: 50,
      toolResultTokensPerTurn: 200,
      promptCaching: true,
      minCacheablePrefixTokens: 1024,
      batch: false,
    });
  });

  it.each([
    [() => estimateCost([variant({ prefixTokens: counted(-1) })], priceOf), "variant head: prefix tokens"],
    [() => estimateCost([variant()], () => ({ inputPerMTok: Number.NaN, outputPerMTok: 1 })), "claude-sonnet-4-6's inputPerMTok"],
    [() => estimateCost([variant()], priceOf, { turnsPerTrial: 0 }), "turnsPerTrial"],
    [() => estimateCost([variant({ cases: [{ id: "x", inputTokens: counted(1), trials: 1.5, cachedTrials: 0, mockedTools: 0 }] })], priceOf), "case x: trials"],
  ])("refuses figures that are not counts or prices (%#)", (call, what) => {
    expect(call).toThrow(what);
  });
});

describe("expectedTurns", () => {
  it.each([
    [0, 10, null, 1],
    [3, 10, null, 4],
    [30, 10, null, 10],
    [3, 10, 2, 2],
    [0, 1, 5, 1],
  ])("with %i mocked tools, a cap of %i and a flat figure of %s, is %i", (mocked, cap, flat, turns) => {
    expect(expectedTurns(mocked, cap, { turnsPerTrial: flat })).toBe(turns);
  });
});
