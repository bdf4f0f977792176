// Rate limits as the Messages API applies them: token buckets that refill continuously at
// the per-minute limit (not a window that resets on the minute), for requests, input tokens
// (uncached input plus cache writes; cache reads are free) and output tokens (max_tokens is
// reserved on admission and the unused part returned once answered). Every response carries
// the `anthropic-ratelimit-*` headers; the `tokens` family shows the most restrictive of
// input and output.
import { rfc3339 } from "./clock.ts";

/** Per-minute limits; each is also the bucket's capacity unless `burst` says otherwise. */
export interface RateLimits {
  readonly requestsPerMinute: number;
  readonly inputTokensPerMinute: number;
  readonly outputTokensPerMinute: number;
  /** Requests per minute for /v1/messages/count_tokens, a limit of its own. */
  readonly countTokensRequestsPerMinute: number;
  /** Bucket capacities, when smaller than a minute's worth (the API may enforce a per-minute limit over shorter intervals). */
  readonly burst?: Partial<Record<"requests" | "inputTokens" | "outputTokens" | "countTokensRequests", number>>;
}

/** Limits of a build-tier organisation, high enough that ordinary tests never meet them. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  requestsPerMinute: 4000,
  inputTokensPerMinute: 2_000_000,
  outputTokensPerMinute: 400_000,
  countTokensRequestsPerMinute: 2000,
};

/** A bucket of `capacity` refilled at `perMinute` a minute. */
export class TokenBucket {
  readonly perMinute: number;
  readonly capacity: number;
  #level: number;
  #at: number;

  constructor(perMinute: number, capacity: number, now: number) {
    if (!(perMinute > 0) || !(capacity > 0)) throw new RangeError(`a rate limit must be positive: ${perMinute}/min, capacity ${capacity}`);
    this.perMinute = perMinute;
    this.capacity = capacity;
    this.#level = capacity;
    this.#at = now;
  }

  #refill(now: number): void {
    if (now > this.#at) this.#level = Math.min(this.capacity, this.#level + ((now - this.#at) * this.perMinute) / 60_000);
    this.#at = Math.max(this.#at, now);
  }

  /** Milliseconds until `amount` can be taken (0: now). */
  waitFor(amount: number, now: number): number {
    this.#refill(now);
    const needed = Math.min(amount, this.capacity) - this.#level;
    return needed <= 0 ? 0 : Math.ceil((needed * 60_000) / this.perMinute);
  }

  take(amount: number, now: number): void {
    this.#refill(now);
    this.#level -= amount;
  }

  give(amount: number, now: number): void {
    this.#refill(now);
    this.#level = Math.min(this.capacity, this.#level + amount);
  }

  /** The header values: limit per minute, whole units remaining, when the bucket is full again. */
  state(now: number): { limit: number; remaining: number; reset: string } {
    this.#refill(now);
    const remaining = Math.max(0, Math.floor(this.#level));
    const reset = now + Math.max(0, ((this.capacity - this.#level) * 60_000) / this.perMinute);
    return { limit: this.perMinute, remaining, reset: rfc3339(reset) };
  }
}

/** The buckets of one organisation. */
export class RateLimiter {
  readonly requests: TokenBucket;
  readonly inputTokens: TokenBucket;
  readonly outputTokens: TokenBucket;
  readonly countTokensRequests: TokenBucket;

  constructor(limits: RateLimits, now: number) {
    const burst = limits.burst ?? {};
    this.requests = new TokenBucket(limits.requestsPerMinute, burst.requests ?? limits.requestsPerMinute, now);
    this.inputTokens = new TokenBucket(limits.inputTokensPerMinute, burst.inputTokens ?? limits.inputTokensPerMinute, now);
    this.outputTokens = new TokenBucket(limits.outputTokensPerMinute, burst.outputTokens ?? limits.outputTokensPerMinute, now);
    this.countTokensRequests = new TokenBucket(limits.countTokensRequestsPerMinute, burst.countTokensRequests ?? limits.countTokensRequestsPerMinute, now);
  }

  /**
   * Admits a Messages request costing `inputTokens` (uncached input + cache writes) and
   * reserving `maxTokens` of output, or says which limit it would break and for how long.
   */
  admit(inputTokens: number, maxTokens: number, now: number): { ok: true } | { ok: false; limit: string; waitMs: number } {
    const checks = [
      { limit: `${this.requests.perMinute} requests per minute`, waitMs: this.requests.waitFor(1, now) },
      { limit: `${this.inputTokens.perMinute} input tokens per minute`, waitMs: this.inputTokens.waitFor(inputTokens, now) },
      { limit: `${this.outputTokens.perMinute} output tokens per minute`, waitMs: this.outputTokens.waitFor(maxTokens, now) },
    ];
    const broken = checks.filter((check) => check.waitMs > 0).sort((a, b) => b.waitMs - a.waitMs)[0];
    if (broken !== undefined) return { ok: false, ...broken };
    this.requests.take(1, now);
    this.inputTokens.take(inputTokens, now);
    this.outputTokens.take(maxTokens, now);
    return { ok: true };
  }

  /** The `anthropic-ratelimit-*` headers of a Messages response at `now`. */
  messagesHeaders(now: number): Record<string, string> {
    const input = this.inputTokens.state(now);
    const output = this.outputTokens.state(now);
    const tokens = input.remaining / input.limit <= output.remaining / output.limit ? input : output;
    return {
      ...family("requests", this.requests.state(now)),
      ...family("input-tokens", input),
      ...family("output-tokens", output),
      ...family("tokens", tokens),
    };
  }

  /** The headers of a count_tokens response. */
  countTokensHeaders(now: number): Record<string, string> {
    return family("requests", this.countTokensRequests.state(now));
  }
}

function family(name: string, state: { limit: number; remaining: number; reset: string }): Record<string, string> {
  return {
    [`anthropic-ratelimit-${name}-limit`]: String(state.limit),
    [`anthropic-ratelimit-${name}-remaining`]: String(state.remaining),
    [`anthropic-ratelimit-${name}-reset`]: state.reset,
  };
}
