import type { AgentUnderTest, EvalCase, EvalSuite } from "./model.ts";

/** One trial of one case of one variant, in the order a run starts them. */
export interface PlannedTrial {
  /** Index of the variant in the run's list. */
  readonly variant: number;
  readonly case: EvalCase;
  readonly trial: number;
}

/**
 * Every trial of every variant, interleaved in a seeded random order, so drift of the API
 * over a run (latency, load, a model update) hits every variant alike. The same seed gives
 * the same order; the seed is recorded with the results.
 * `trials` overrides each case's own count (the command line's `--trials`).
 */
export function planTrials(variants: readonly { readonly agent: AgentUnderTest; readonly suite: EvalSuite }[], seed: number, trials?: number): PlannedTrial[] {
  const planned: PlannedTrial[] = [];
  variants.forEach((variant, index) => {
    for (const evalCase of variant.suite.cases) {
      const count = trials ?? evalCase.trials;
      for (let trial = 0; trial < count; trial++) planned.push({ variant: index, case: evalCase, trial });
    }
  });
  const random = mulberry32(seed);
  for (let i = planned.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [planned[i], planned[j]] = [planned[j]!, planned[i]!];
  }
  return planned;
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
