// What model calls cost: one price table for the model ids of the Anthropic SDK's `Model`
// type, and the arithmetic of prompt caching and Message Batches on top of it.
//
// Rates are USD per million tokens, from Anthropic's pricing page and model overview pages
// (platform.claude.com/docs) as published in late 2026. Vendors change prices: update this
// table, and only this table, when they do. docs/eval-grading.md lists the same rates and
// the assumptions below.
import type { ModelCall } from "../../../schemas/transcript.schema.ts";

export type ModelFamily = "opus" | "sonnet" | "haiku" | "fable" | "mythos";

/** One model's rates, USD per million tokens. */
export interface ModelPrice {
  readonly family: ModelFamily;
  readonly input: number;
  readonly output: number;
  /** Cache hits and refreshes; usually 0.1× input, lower for some models. */
  readonly cacheRead: number;
  /**
   * Rates for a long prompt: when a request's prompt (input + cache reads + cache writes)
   * is over `aboveTokens`, every token of that request, output included, pays these.
   */
  readonly longPrompt?: { readonly aboveTokens: number; readonly input: number; readonly output: number; readonly cacheRead: number };
  /** `assumed`: no published price was found; see the comment at the entry. */
  readonly basis: "published" | "assumed";
}

/** A cache write with the default 5-minute lifetime costs 1.25× the input rate. */
export const CACHE_WRITE_5M = 1.25;
/** A cache write with the 1-hour lifetime costs 2× the input rate. */
export const CACHE_WRITE_1H = 2;
/** Message Batches bill every token category at half price (stacking with caching). */
export const BATCH_FACTOR = 0.5;

const published = (family: ModelFamily, input: number, output: number, cacheRead = input / 10): ModelPrice => ({ family, input, output, cacheRead, basis: "published" });

/** Rates by model id (dated ids such as `claude-haiku-4-5-20251001` price as their undated alias). */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  "claude-opus-4-5": published("opus", 5, 25),
  "claude-opus-4-6": published("opus", 5, 25),
  "claude-opus-4-7": published("opus", 5, 25),
  "claude-opus-4-8": published("opus", 5, 25),
  "claude-opus-5": published("opus", 5, 25),
  // Opus 5.5 reads the cache at 0.05× input.
  "claude-opus-5-5": published("opus", 4, 20, 0.2),
  "claude-sonnet-4-5": published("sonnet", 3, 15),
  "claude-sonnet-4-6": published("sonnet", 3, 15),
  "claude-sonnet-5": published("sonnet", 2, 10),
  // The model overview publishes $0.20 for cache reads; some third-party price lists report a
  // later cut to $0.10. We keep the overview's figure: if anything, it over-estimates.
  "claude-sonnet-5-5": published("sonnet", 2, 10),
  "claude-haiku-4-5": published("haiku", 1, 5),
  // Haiku 5.5 is priced by prompt length: up to 100,000 prompt tokens, and above.
  "claude-haiku-5-5": { ...published("haiku", 0.1, 0.5), longPrompt: { aboveTokens: 100_000, input: 0.5, output: 2.5, cacheRead: 0.05 } },
  "claude-fable-5": published("fable", 10, 50, 1),
  "claude-mythos-5": published("mythos", 10, 50, 1),
  "claude-fable-5-1": published("fable", 10, 50, 0.25),
  "claude-mythos-5-1": published("mythos", 10, 50, 0.25),
  // Assumed: no published price found for the 5.2 releases; priced as their 5.1 predecessors.
  "claude-fable-5-2": { ...published("fable", 10, 50, 0.25), basis: "assumed" },
  "claude-mythos-5-2": { ...published("mythos", 10, 50, 0.25), basis: "assumed" },
  // Assumed: invitation-only, not on the pricing page; $25 / $125 is the partner price reported
  // at its announcement, with the standard cache multipliers.
  "claude-mythos-preview": { ...published("mythos", 25, 125), basis: "assumed" },
};

/** The price a model id is billed at, and whether the table knows it. */
export function priceOf(model: string): { readonly price: ModelPrice; readonly known: boolean } {
  const id = model.trim().toLowerCase().replace(/-\d{8}$/, "");
  const price = MODEL_PRICES[id];
  if (price) return { price, known: true };
  // Never 0 for a model we cannot price: the dearest price of its family, or of all models.
  const family = /(opus|sonnet|haiku|fable|mythos)/.exec(id)?.[1] as ModelFamily | undefined;
  const candidates = Object.values(MODEL_PRICES).filter((entry) => family === undefined || entry.family === family);
  return { price: dearest(candidates.length > 0 ? candidates : Object.values(MODEL_PRICES)), known: false };
}

function dearest(prices: readonly ModelPrice[]): ModelPrice {
  return prices.reduce((best, price) => (price.output > best.output || (price.output === best.output && price.input > best.input) ? price : best));
}

/** What some model calls cost, and which of their models had no price (counted at the dearest one; warn about them). */
export interface Cost {
  readonly usd: number;
  readonly unknownModels: readonly string[];
}

/** How the calls wrote to the prompt cache: the 5-minute lifetime (default) or the 1-hour one. */
export interface CostOptions {
  readonly cacheWrite?: "5m" | "1h";
}

/** What model calls cost, in USD: each call at its model's rates, cache writes and reads at theirs, batch calls at half. */
export function costOf(calls: readonly ModelCall[], options: CostOptions = {}): Cost {
  const writeFactor = options.cacheWrite === "1h" ? CACHE_WRITE_1H : CACHE_WRITE_5M;
  const unknown = new Set<string>();
  let usd = 0;
  for (const call of calls) {
    const { price, known } = priceOf(call.model);
    if (!known) unknown.add(call.model);
    const usage = call.usage;
    const prompt = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
    const rates = price.longPrompt && prompt > price.longPrompt.aboveTokens ? price.longPrompt : price;
    const perMillion =
      usage.inputTokens * rates.input +
      usage.cacheCreationInputTokens * rates.input * writeFactor +
      usage.cacheReadInputTokens * rates.cacheRead +
      usage.outputTokens * rates.output;
    usd += (perMillion / 1_000_000) * (call.batch ? BATCH_FACTOR : 1);
  }
  return { usd, unknownModels: [...unknown].sort() };
}

/** Dollars as people read them: `$1.23`, `$0.0456`, `$0` — four decimals below a dollar, so small trials still show. */
export function formatUsd(value: number): string {
  if (value === 0) return "$0";
  if (value >= 1) return `$${value.toFixed(2)}`;
  if (value < 0.0001) return "<$0.0001";
  let text = value.toFixed(4);
  while (/\.\d{3,}$/.test(text) && text.endsWith("0")) text = text.slice(0, -1);
  return `$${text}`;
}
