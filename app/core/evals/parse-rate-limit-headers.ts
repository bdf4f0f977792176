// What one Messages API response says about the caller's rate limits. The API sends, on
// successes and on errors alike:
//   anthropic-ratelimit-requests-limit / -remaining / -reset
//   anthropic-ratelimit-input-tokens-limit / -remaining / -reset
//   anthropic-ratelimit-output-tokens-limit / -remaining / -reset
//   retry-after (seconds, or an HTTP date) on 429 and sometimes 529; retry-after-ms where sent.
// `-reset` is an RFC 3339 time: when that limit is fully replenished. A missing or unreadable
// header is left out (the controller then knows less), never guessed.

/** One rate limit's state as a response reported it. */
export interface RateLimitBucket {
  readonly remaining: number;
  readonly limit?: number;
  /** When the limit is fully replenished (ms since the epoch). */
  readonly resetAt?: number;
}

/** Everything the rate-limit headers of one response say. */
export interface RateLimitObservation {
  readonly requests?: RateLimitBucket;
  readonly inputTokens?: RateLimitBucket;
  readonly outputTokens?: RateLimitBucket;
  /** How long the server asked to wait before the next request (from `retry-after-ms` or `retry-after`). */
  readonly retryAfterMs?: number;
}

/** Reads one header by name (case-insensitive), as `Headers.prototype.get` does. */
export type HeaderGetter = (name: string) => string | null | undefined;

/**
 * Reads the rate-limit headers of one response. `now` is the time the response arrived; an
 * HTTP-date `retry-after` is turned into a wait from it.
 */
export function parseRateLimitHeaders(get: HeaderGetter, now: number): RateLimitObservation {
  const requests = readBucket(get, "requests");
  const inputTokens = readBucket(get, "input-tokens");
  const outputTokens = readBucket(get, "output-tokens");
  const retryAfterMs = readRetryAfter(get, now);
  return {
    ...(requests && { requests }),
    ...(inputTokens && { inputTokens }),
    ...(outputTokens && { outputTokens }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  };
}

function readBucket(get: HeaderGetter, name: string): RateLimitBucket | undefined {
  const remaining = readCount(get(`anthropic-ratelimit-${name}-remaining`));
  if (remaining === undefined) return undefined;
  const limit = readCount(get(`anthropic-ratelimit-${name}-limit`));
  const resetAt = readTime(get(`anthropic-ratelimit-${name}-reset`));
  return { remaining, ...(limit !== undefined && { limit }), ...(resetAt !== undefined && { resetAt }) };
}

function readCount(text: string | null | undefined): number | undefined {
  if (text == null || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

function readTime(text: string | null | undefined): number | undefined {
  if (text == null || text.trim() === "") return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

function readRetryAfter(get: HeaderGetter, now: number): number | undefined {
  const ms = get("retry-after-ms");
  if (ms != null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Number(ms);
  const after = get("retry-after");
  if (after == null || after.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Number(after) * 1000;
  const at = readTime(after);
  return at === undefined ? undefined : Math.max(0, at - now);
}
