// What a run will cost before any of it is paid for: token counts (counted by the API or
// estimated locally) times the model's prices, with prompt caching, cached trials and
// Message Batches taken into account. The assumptions are listed in docs/evals-cache.md
// and returned with every estimate, so a reader can see what the figure rests on.

/** A model's base prices in USD per million tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

/** The price table's lookup (app/core/evals/prices.ts provides one). */
export type PriceOf = (model: string) => ModelPrice;

/** A token count, and whether it was estimated locally (characters / 4) rather than counted by the API. */
export interface TokenCount {
  readonly tokens: number;
  readonly local: boolean;
}

export interface CaseToEstimate {
  readonly id: string;
  /** The case's input messages. */
  readonly inputTokens: TokenCount;
  /** Trials the run will have, cached ones included. */
  readonly trials: number;
  /** Of them, trials the result store already holds: they cost nothing. */
  readonly cachedTrials: number;
  /** Distinct tools the case mocks (`server.tool` keys): the turn heuristic's input. */
  readonly mockedTools: number;
}

export interface VariantToEstimate {
  readonly label: string;
  readonly model: string;
  /** The stable prefix every call of the variant sends: tools, system prompt and skills. */
  readonly prefixTokens: TokenCount;
  /** The runner's turn cap (builtin runner's `maxTurns`); caps the turn heuristic. */
  readonly maxTurns: number;
  readonly cases: readonly CaseToEstimate[];
}

/** What the estimate assumes where nothing can be counted before running. */
export interface EstimateAssumptions {
  /** Model calls per trial for every case; default (null): 1 + the case's mocked tools, at most `maxTurns`. */
  readonly turnsPerTrial: number | null;
  /** Tokens the model writes per call. */
  readonly outputTokensPerTurn: number;
  /** Tokens a tool result adds to the conversation after each call but the last. */
  readonly toolResultTokensPerTurn: number;
  /** The prefix is cached: one warm-up call writes it (1.25× input price), every call reads it (0.1×). */
  readonly promptCaching: boolean;
  /** Below this many prefix tokens the API caches nothing (silently), and every call pays the prefix in full. */
  readonly minCacheablePrefixTokens: number;
  /** Trials go through Message Batches: half price, stacked with caching (the warm-up call is direct). */
  readonly batch: boolean;
}

export const DEFAULT_ASSUMPTIONS: EstimateAssumptions = {
  turnsPerTrial: null,
  outputTokensPerTurn: 400,
  toolResultTokensPerTurn: 200,
  promptCaching: true,
  minCacheablePrefixTokens: 1024,
  batch: false,
};

/** Prompt-cache price multipliers of the base input price (5-minute cache). */
export const CACHE_WRITE_FACTOR = 1.25;
export const CACHE_READ_FACTOR = 0.1;
export const BATCH_FACTOR = 0.5;

export interface Tokens {
  readonly cacheWrite: number;
  readonly cacheRead: number;
  readonly input: number;
  readonly output: number;
}

export interface CaseEstimate {
  readonly id: string;
  readonly turns: number;
  readonly liveTrials: number;
  readonly cachedTrials: number;
  /** One live trial: what the budget reserves before starting it. */
  readonly trialUsd: number;
  readonly usd: number;
}

export interface VariantEstimate {
  readonly label: string;
  readonly model: string;
  readonly liveTrials: number;
  readonly cachedTrials: number;
  /** Whether the prefix is long enough, and caching on, for the prefix to be cached. */
  readonly prefixCached: boolean;
  /** The warm-up call that writes the prefix to the cache (0 when nothing runs or nothing is cached). */
  readonly warmUpUsd: number;
  readonly tokens: Tokens;
  readonly usd: number;
  readonly cases: readonly CaseEstimate[];
}

export interface CostEstimate {
  readonly estimatedUsd: number;
  /** Some token count behind it was estimated locally, not counted by the API. */
  readonly local: boolean;
  readonly breakdown: {
    readonly assumptions: EstimateAssumptions;
    readonly variants: readonly VariantEstimate[];
  };
}

/** Model calls one trial of a case is expected to make: the assumption's flat figure, else one per mocked tool plus the answer, within the turn cap. */
export function expectedTurns(mockedTools: number, maxTurns: number, assumptions: Pick<EstimateAssumptions, "turnsPerTrial"> = DEFAULT_ASSUMPTIONS): number {
  return Math.max(1, Math.min(maxTurns, assumptions.turnsPerTrial ?? 1 + mockedTools));
}

/**
 * Estimates a run's cost. Per variant with a live trial: one warm-up call writes the
 * prefix to the cache; then each call of each live trial reads the prefix (0.1×), pays
 * the case's input and the conversation so far in full (each turn adds the model's
 * output and a tool result), and pays its output. Cached trials cost nothing. With
 * `batch`, trial calls cost half. Judge calls are not included.
 */
export function estimateCost(variants: readonly VariantToEstimate[], priceOf: PriceOf, assumptions: Partial<EstimateAssumptions> = {}): CostEstimate {
  const assumed: EstimateAssumptions = { ...DEFAULT_ASSUMPTIONS, ...assumptions };
  checkAssumptions(assumed);
  const estimates = variants.map((variant) => estimateVariant(variant, priceOf(variant.model), assumed));
  const local = variants.some((variant) => variant.prefixTokens.local || variant.cases.some((one) => one.inputTokens.local));
  return {
    estimatedUsd: estimates.reduce((sum, variant) => sum + variant.usd, 0),
    local,
    breakdown: { assumptions: assumed, variants: estimates },
  };
}

function estimateVariant(variant: VariantToEstimate, price: ModelPrice, assumed: EstimateAssumptions): VariantEstimate {
  checkCount(`variant ${variant.label}: prefix tokens`, variant.prefixTokens.tokens);
  checkCount(`variant ${variant.label}: maxTurns`, variant.maxTurns, 1);
  checkPrice(variant.model, price);
  const prefix = variant.prefixTokens.tokens;
  const prefixCached = assumed.promptCaching && prefix >= assumed.minCacheablePrefixTokens;
  const perToken = { input: price.inputPerMTok / 1e6, output: price.outputPerMTok / 1e6 };
  const trialFactor = assumed.batch ? BATCH_FACTOR : 1;
  const totals = { cacheWrite: 0, cacheRead: 0, input: 0, output: 0 };
  const cases: CaseEstimate[] = [];
  for (const one of variant.cases) {
    checkCount(`case ${one.id}: trials`, one.trials);
    checkCount(`case ${one.id}: cached trials`, one.cachedTrials);
    checkCount(`case ${one.id}: input tokens`, one.inputTokens.tokens);
    checkCount(`case ${one.id}: mocked tools`, one.mockedTools);
    const turns = expectedTurns(one.mockedTools, variant.maxTurns, assumed);
    const liveTrials = Math.max(0, one.trials - one.cachedTrials);
    // Turn k (from 0) sends the case's input and k earlier rounds of output and tool result.
    const grown = ((assumed.outputTokensPerTurn + assumed.toolResultTokensPerTurn) * turns * (turns - 1)) / 2;
    const trial = {
      cacheRead: prefixCached ? turns * prefix : 0,
      input: (prefixCached ? 0 : turns * prefix) + turns * one.inputTokens.tokens + grown,
      output: turns * assumed.outputTokensPerTurn,
    };
    const trialUsd = trialFactor * ((trial.cacheRead * CACHE_READ_FACTOR + trial.input) * perToken.input + trial.output * perToken.output);
    totals.cacheRead += liveTrials * trial.cacheRead;
    totals.input += liveTrials * trial.input;
    totals.output += liveTrials * trial.output;
    cases.push({ id: one.id, turns, liveTrials, cachedTrials: one.trials - liveTrials, trialUsd, usd: liveTrials * trialUsd });
  }
  const liveTrials = cases.reduce((sum, one) => sum + one.liveTrials, 0);
  // The warm-up writes the prefix once, before trials fan out; its one-token answer is left out.
  const warmUpUsd = prefixCached && liveTrials > 0 ? prefix * CACHE_WRITE_FACTOR * perToken.input : 0;
  if (warmUpUsd > 0) totals.cacheWrite = prefix;
  return {
    label: variant.label,
    model: variant.model,
    liveTrials,
    cachedTrials: cases.reduce((sum, one) => sum + one.cachedTrials, 0),
    prefixCached,
    warmUpUsd,
    tokens: totals,
    usd: warmUpUsd + cases.reduce((sum, one) => sum + one.usd, 0),
    cases,
  };
}

function checkCount(what: string, value: number, least = 0): void {
  if (!Number.isInteger(value) || value < least) throw new RangeError(`estimateCost: ${what} must be a whole number from ${least}, got ${value}`);
}

function checkPrice(model: string, price: ModelPrice): void {
  for (const [what, value] of Object.entries(price)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`estimateCost: ${model}'s ${what} must be a price from 0, got ${value}`);
  }
}

function checkAssumptions(assumed: EstimateAssumptions): void {
  if (assumed.turnsPerTrial !== null) checkCount("turnsPerTrial", assumed.turnsPerTrial, 1);
  checkCount("outputTokensPerTurn", assumed.outputTokensPerTurn);
  checkCount("toolResultTokensPerTurn", assumed.toolResultTokensPerTurn);
  checkCount("minCacheablePrefixTokens", assumed.minCacheablePrefixTokens);
}
