// Prompt caching as the Messages API reports it. Each `cache_control` breakpoint names a
// prefix (everything up to and including that block); a prefix under the model's minimum
// cacheable length is silently not cached. A request reads the longest live prefix written
// before, looking back up to 20 blocks from each breakpoint; it writes the prefixes of its
// breakpoints beyond that; the rest is plain input. A written entry is visible only once the
// response that wrote it is sent, so requests fired together all write (as the docs warn).
import type { CacheTtl, Prompt } from "./prompt.ts";

/** Minimum cacheable prefix, in tokens, by model family; the first matching pattern wins. */
export const MIN_CACHEABLE_TOKENS: ReadonlyArray<{ readonly pattern: RegExp; readonly tokens: number }> = [
  { pattern: /haiku/, tokens: 2048 },
  { pattern: /sonnet|opus/, tokens: 1024 },
  { pattern: /.*/, tokens: 1024 },
];

/** The minimum cacheable prefix for a model id, from MIN_CACHEABLE_TOKENS. */
export function defaultMinCacheableTokens(model: string): number {
  return MIN_CACHEABLE_TOKENS.find((row) => row.pattern.test(model))?.tokens ?? 1024;
}

const TTL_MS: Record<CacheTtl, number> = { "5m": 5 * 60_000, "1h": 60 * 60_000 };
const LOOKBACK_BLOCKS = 20;

/** What one request reads, writes and pays for in full, and the cache changes it makes once answered. */
export interface CachePlan {
  readonly readTokens: number;
  readonly creation5mTokens: number;
  readonly creation1hTokens: number;
  /** Tokens after the cached and written prefixes: `usage.input_tokens`. */
  readonly inputTokens: number;
  readonly writes: ReadonlyArray<{ readonly hash: string; readonly ttl: CacheTtl }>;
  readonly refresh?: { readonly hash: string; readonly ttl: CacheTtl };
}

/** The cache of one organisation: prefix hash → expiry on the fake's clock. */
export class PromptCache {
  readonly #entries = new Map<string, { expiresAt: number; ttl: CacheTtl }>();
  readonly #minTokens: (model: string) => number;

  constructor(minTokens: (model: string) => number = defaultMinCacheableTokens) {
    this.#minTokens = minTokens;
  }

  /** What the request would read and write at `now`; changes nothing. */
  plan(prompt: Prompt, now: number): CachePlan {
    const { blocks } = prompt;
    const breakpoints = blocks.flatMap((block, i) => (block.breakpoint === undefined ? [] : [i]));
    let read = -1;
    for (const b of breakpoints) {
      for (let i = b; i >= Math.max(0, b - LOOKBACK_BLOCKS + 1) && i > read; i--) {
        const entry = this.#entries.get(blocks[i]!.prefixHash);
        if (entry !== undefined && entry.expiresAt > now) {
          read = i;
          break;
        }
      }
    }
    const readTokens = read < 0 ? 0 : blocks[read]!.prefixTokens;
    const minimum = this.#minTokens(prompt.model);
    const writes: { hash: string; ttl: CacheTtl }[] = [];
    const creation = { "5m": 0, "1h": 0 };
    let covered = readTokens;
    for (const b of breakpoints) {
      const block = blocks[b]!;
      if (b <= read || block.prefixTokens < minimum) continue;
      creation[block.breakpoint!] += block.prefixTokens - covered;
      covered = block.prefixTokens;
      writes.push({ hash: block.prefixHash, ttl: block.breakpoint! });
    }
    const readBlock = read < 0 ? undefined : blocks[read]!;
    const refreshTtl = readBlock === undefined ? undefined : (readBlock.breakpoint ?? this.#entries.get(readBlock.prefixHash)!.ttl);
    return {
      readTokens,
      creation5mTokens: creation["5m"],
      creation1hTokens: creation["1h"],
      inputTokens: prompt.inputTokens - covered,
      writes,
      ...(readBlock === undefined ? {} : { refresh: { hash: readBlock.prefixHash, ttl: refreshTtl! } }),
    };
  }

  /** Makes the plan's writes visible and renews the entry it read, as of `now`. */
  commit(plan: CachePlan, now: number): void {
    for (const write of plan.writes) this.#entries.set(write.hash, { expiresAt: now + TTL_MS[write.ttl], ttl: write.ttl });
    if (plan.refresh !== undefined) this.#entries.set(plan.refresh.hash, { expiresAt: now + TTL_MS[plan.refresh.ttl], ttl: plan.refresh.ttl });
  }

  /** Live entries at `now`. */
  size(now: number): number {
    return [...this.#entries.values()].filter((entry) => entry.expiresAt > now).length;
  }
}
