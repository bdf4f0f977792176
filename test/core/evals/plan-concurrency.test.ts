import { describe, expect, it } from "vitest";
import { parseRateLimitHeaders, type RateLimitObservation } from "../../../app/core/evals/parse-rate-limit-headers.ts";
import {
  initialConcurrency,
  outcomeOfStatus,
  planNextStart,
  recordEnd,
  recordResponse,
  recordStart,
  type AttemptOutcome,
  type ConcurrencyState,
} from "../../../app/core/evals/plan-concurrency.ts";
import { simulateRun, type SimulatedServer } from "../../helpers/simulate-rate-limits.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");

/** Starts `count` requests at once; returns the state and their attempt numbers. */
function startMany(state: ConcurrencyState, count: number, inputTokens = 0): { state: ConcurrencyState; attempts: number[] } {
  const attempts: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = recordStart(state, { inputTokens });
    state = started.state;
    attempts.push(started.attempt);
  }
  return { state, attempts };
}

function answer(state: ConcurrencyState, now: number, attempt: number, outcome: AttemptOutcome, observation?: RateLimitObservation) {
  return recordEnd(recordResponse(state, now, { attempt, outcome, ...(observation && { observation }) }));
}

describe("parseRateLimitHeaders", () => {
  const headers = (values: Record<string, string>) => (name: string) => values[name.toLowerCase()] ?? null;

  it("reads every limit the API reports, with its reset as a time", () => {
    const get = headers({
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "49",
      "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:01Z",
      "anthropic-ratelimit-input-tokens-limit": "30000",
      "anthropic-ratelimit-input-tokens-remaining": "29000",
      "anthropic-ratelimit-input-tokens-reset": "2026-01-01T00:00:02Z",
      "anthropic-ratelimit-output-tokens-limit": "8000",
      "anthropic-ratelimit-output-tokens-remaining": "0",
      "anthropic-ratelimit-output-tokens-reset": "2026-01-01T00:00:03Z",
      "retry-after": "7",
    });
    expect(parseRateLimitHeaders(get, t0)).toEqual({
      requests: { remaining: 49, limit: 50, resetAt: t0 + 1000 },
      inputTokens: { remaining: 29000, limit: 30000, resetAt: t0 + 2000 },
      outputTokens: { remaining: 0, limit: 8000, resetAt: t0 + 3000 },
      retryAfterMs: 7000,
    });
  });

  it.each([
    [{ "retry-after": "2", "retry-after-ms": "150" }, 150],
    [{ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, 5000],
    [{ "retry-after": "Wed, 31 Dec 2025 23:59:00 GMT" }, 0],
    [{ "retry-after": "0.5" }, 500],
    [{ "retry-after": "soon" }, undefined],
  ])("reads the wait from %j as %j ms", (values, expected) => {
    expect(parseRateLimitHeaders(headers(values), t0).retryAfterMs).toBe(expected);
  });

  it("leaves out a limit whose remaining count is missing or unreadable, and a reset that is not a time", () => {
    const get = headers({
      "anthropic-ratelimit-requests-remaining": "-1",
      "anthropic-ratelimit-input-tokens-limit": "100",
      "anthropic-ratelimit-output-tokens-remaining": "12",
      "anthropic-ratelimit-output-tokens-reset": "later",
    });
    expect(parseRateLimitHeaders(get, t0)).toEqual({ outputTokens: { remaining: 12 } });
  });
});

describe("planNextStart", () => {
  it("starts modest and waits for a slot when the window is full", () => {
    const started = startMany(initialConcurrency(), 4);
    expect(planNextStart(initialConcurrency(), t0)).toEqual({ limit: 4, inFlight: 0, mayStart: true, startAt: t0, waitingFor: null });
    expect(planNextStart(started.state, t0)).toEqual({ limit: 4, inFlight: 4, mayStart: false, startAt: t0, waitingFor: "window" });
    expect(planNextStart(answer(started.state, t0 + 10, 0, "ok"), t0 + 10).mayStart).toBe(true);
  });

  it("starts nothing until a 429's retry-after has passed, and halves the window", () => {
    const started = startMany(initialConcurrency({ initial: 8 }), 1);
    const limited = answer(started.state, t0, 0, "rate-limited", { retryAfterMs: 3000 });
    expect(planNextStart(limited, t0 + 2999)).toMatchObject({ limit: 4, mayStart: false, startAt: t0 + 3000, waitingFor: "retry-after" });
    expect(planNextStart(limited, t0 + 3000)).toMatchObject({ limit: 4, mayStart: true });
  });

  it("halves the window once for a burst of 429s sent before the decrease, again for one sent after", () => {
    let { state } = startMany(initialConcurrency({ initial: 16 }), 6);
    for (const attempt of [0, 1, 2, 3, 4]) state = answer(state, t0, attempt, "rate-limited", { retryAfterMs: 10 });
    expect(planNextStart(state, t0 + 10).limit).toBe(8);
    const later = recordStart(state, {});
    state = answer(later.state, t0 + 20, later.attempt, "overloaded");
    expect(planNextStart(state, t0 + 10_000).limit).toBe(4);
    state = answer(state, t0 + 20, 5, "rate-limited", { retryAfterMs: 10 });
    expect(planNextStart(state, t0 + 10_000).limit).toBe(4);
  });

  it("never shrinks the window below its minimum", () => {
    let state = initialConcurrency({ initial: 2, min: 2 });
    for (let i = 0; i < 5; i += 1) {
      const started = recordStart(state, {});
      state = answer(started.state, t0, started.attempt, "overloaded", { retryAfterMs: 0 });
    }
    expect(planNextStart(state, t0).limit).toBe(2);
  });

  it("waits for the reset when a response says no requests remain", () => {
    const started = startMany(initialConcurrency(), 1);
    const state = answer(started.state, t0, 0, "ok", { requests: { remaining: 0, limit: 50, resetAt: t0 + 1200 } });
    expect(planNextStart(state, t0 + 1199)).toMatchObject({ mayStart: false, startAt: t0 + 1200, waitingFor: "requests" });
    expect(planNextStart(state, t0 + 1200)).toMatchObject({ mayStart: true });
  });

  it("charges the reported remaining requests for attempts the server had not seen", () => {
    let { state } = startMany(initialConcurrency(), 3);
    state = answer(state, t0, 0, "ok", { requests: { remaining: 2, limit: 50, resetAt: t0 + 5000 } });
    // Attempts 1 and 2 were sent after attempt 0 and are still in flight: nothing is left.
    expect(planNextStart(state, t0)).toMatchObject({ mayStart: false, startAt: t0 + 5000, waitingFor: "requests" });
    // A newer report (from attempt 2) says there is room again.
    state = answer(state, t0 + 100, 2, "ok", { requests: { remaining: 3, limit: 50, resetAt: t0 + 5000 } });
    expect(planNextStart(state, t0 + 100).mayStart).toBe(true);
  });

  it("does not let an older report replace a newer one", () => {
    let { state } = startMany(initialConcurrency(), 2);
    state = answer(state, t0, 1, "ok", { requests: { remaining: 0, limit: 50, resetAt: t0 + 5000 } });
    state = answer(state, t0 + 10, 0, "ok", { requests: { remaining: 40, limit: 50, resetAt: t0 + 5000 } });
    expect(planNextStart(state, t0 + 10)).toMatchObject({ mayStart: false, waitingFor: "requests" });
  });

  it.each([
    [4000, true],
    [6000, false],
  ])("with 5,000 input tokens left, a request estimated at %i tokens may start: %s", (inputTokens, mayStart) => {
    const started = startMany(initialConcurrency(), 1);
    const state = answer(started.state, t0, 0, "ok", { inputTokens: { remaining: 5000, limit: 30000, resetAt: t0 + 800 } });
    expect(planNextStart(state, t0, { inputTokens })).toMatchObject({ mayStart, startAt: mayStart ? t0 : t0 + 800 });
    expect(planNextStart(state, t0 + 800, { inputTokens }).mayStart).toBe(true);
  });

  it("charges the input tokens of requests sent after the report", () => {
    let { state } = startMany(initialConcurrency(), 2, 3000);
    state = answer(state, t0, 0, "ok", { inputTokens: { remaining: 5000, limit: 30000, resetAt: t0 + 800 } });
    expect(planNextStart(state, t0, { inputTokens: 2000 })).toMatchObject({ mayStart: true });
    expect(planNextStart(state, t0, { inputTokens: 2001 })).toMatchObject({ mayStart: false, waitingFor: "input-tokens" });
  });

  it("charges the max_tokens of requests sent after the report against the output tokens left", () => {
    let state = recordStart(initialConcurrency(), { outputTokens: 1000 }).state;
    state = recordStart(state, { outputTokens: 1000 }).state;
    state = answer(state, t0, 0, "ok", { outputTokens: { remaining: 3000, limit: 8000, resetAt: t0 + 900 } });
    expect(planNextStart(state, t0, { outputTokens: 2000 })).toMatchObject({ mayStart: true });
    expect(planNextStart(state, t0, { outputTokens: 2001 })).toMatchObject({ mayStart: false, startAt: t0 + 900, waitingFor: "output-tokens" });
  });

  it("waits for the output-token reset when none remain", () => {
    const started = startMany(initialConcurrency(), 1);
    const state = answer(started.state, t0, 0, "ok", { outputTokens: { remaining: 0, limit: 8000, resetAt: t0 + 400 } });
    expect(planNextStart(state, t0)).toMatchObject({ mayStart: false, startAt: t0 + 400, waitingFor: "output-tokens" });
  });

  it("waits for a response still in flight when a limit without a reset has no room, and lets the server decide once none is", () => {
    let { state } = startMany(initialConcurrency(), 2);
    state = answer(state, t0, 0, "ok", { requests: { remaining: 1 } });
    expect(planNextStart(state, t0)).toMatchObject({ mayStart: false, startAt: Infinity, waitingFor: "requests" });
    state = answer(state, t0, 1, "ok");
    expect(planNextStart(state, t0)).toMatchObject({ mayStart: true });
  });

  it("waits for the exhausted limit's reset after a 429 without retry-after", () => {
    const started = startMany(initialConcurrency(), 1);
    const state = answer(started.state, t0, 0, "rate-limited", { inputTokens: { remaining: 0, limit: 1000, resetAt: t0 + 2500 } });
    expect(planNextStart(state, t0 + 1)).toMatchObject({ mayStart: false, startAt: t0 + 2500 });
  });

  it("backs off exponentially after failures that name no wait, up to the maximum, and an answer resets it", () => {
    let state = initialConcurrency({ backoffBaseMs: 100, backoffMaxMs: 500 });
    const waits: number[] = [];
    for (const outcome of ["overloaded", "error", "overloaded", "error", "error"] as const) {
      const started = recordStart(state, {});
      state = answer(started.state, t0, started.attempt, outcome);
      waits.push(planNextStart(state, t0).startAt - t0);
    }
    expect(waits).toEqual([100, 200, 400, 500, 500]);
    const ok = recordStart(state, {});
    state = answer(ok.state, t0 + 500, ok.attempt, "ok");
    const failed = recordStart(state, {});
    state = answer(failed.state, t0 + 600, failed.attempt, "error");
    expect(planNextStart(state, t0 + 600)).toMatchObject({ startAt: t0 + 700, waitingFor: "backoff" });
  });

  it("keeps the window on errors other than 429 and 529", () => {
    const started = startMany(initialConcurrency({ initial: 6 }), 1);
    expect(planNextStart(answer(started.state, t0, 0, "error"), t0 + 60_000).limit).toBe(6);
  });

  it("grows the window by one per window of answers while it is full and headroom is healthy", () => {
    let { state } = startMany(initialConcurrency(), 4);
    const healthy = { requests: { remaining: 40, limit: 50, resetAt: t0 + 1000 } };
    for (let attempt = 0; attempt < 4; attempt += 1) {
      state = recordResponse(state, t0, { attempt, outcome: "ok", observation: healthy });
      const next = recordStart(recordEnd(state), {});
      state = next.state;
    }
    expect(planNextStart(state, t0).limit).toBe(5);
  });

  it.each([
    ["little headroom is left", { requests: { remaining: 10, limit: 50, resetAt: t0 + 1000 } }, 4],
    ["the window is not full", undefined, 4],
  ])("holds the window when %s", (_, observation, expected) => {
    let { state } = startMany(initialConcurrency(), observation ? 4 : 2);
    for (const attempt of observation ? [0, 1, 2, 3] : [0, 1]) {
      state = recordResponse(state, t0, { attempt, outcome: "ok", ...(observation && { observation }) });
      state = recordStart(recordEnd(state), {}).state;
    }
    expect(planNextStart(state, t0).limit).toBe(expected);
  });

  it("never grows the window past its maximum", () => {
    let state = initialConcurrency({ initial: 3, max: 3 });
    for (let i = 0; i < 20; i += 1) {
      const started = recordStart(state, {});
      state = started.state;
      if (state.inFlight === 3) state = answer(state, t0, started.attempt - 2, "ok");
    }
    expect(planNextStart(state, t0).limit).toBe(3);
  });

  it.each([
    [{ min: 0 }, "1 <= min <= max"],
    [{ min: 4, max: 2 }, "1 <= min <= max"],
    [{ decrease: 1 }, "0 < decrease < 1"],
    [{ healthyShare: 2 }, "0 <= healthyShare <= 1"],
  ])("rejects the options %j", (options, message) => {
    expect(() => initialConcurrency(options)).toThrow(message);
  });
});

describe("outcomeOfStatus", () => {
  it.each([
    [200, "ok"],
    [429, "rate-limited"],
    [529, "overloaded"],
    [500, "error"],
    [400, "error"],
    [undefined, "error"],
  ] as const)("sorts %s as %s", (status, outcome) => {
    expect(outcomeOfStatus(status)).toBe(outcome);
  });
});

describe("the controller against a simulated rate-limited API (seeded)", () => {
  const latencyMs = (random: number) => 300 + random * 2700;
  const seeds = [1, 2, 3, 4, 5];

  it.each(seeds)("answers every request once at close to a requests-per-minute limit, with no 429s to speak of (seed %i)", (seed) => {
    const result = simulateRun({ rpm: 60, latencyMs }, { requests: 300, seed });
    // A full bucket (60) at the start, then 60 a minute.
    const fastest = ((300 - 60) / 60) * 60_000;
    expect(result.answers.every((count) => count === 1)).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(fastest);
    expect(result.elapsedMs).toBeLessThan(fastest * 1.3);
    expect(result.rateLimited / result.attempts).toBeLessThan(0.02);
  });

  it.each(seeds)("does the same against a fixed one-minute window (seed %i)", (seed) => {
    const result = simulateRun({ rpm: 60, window: "fixed", latencyMs }, { requests: 300, seed });
    expect(result.answers.every((count) => count === 1)).toBe(true);
    // 60 in each of minutes 0..4: the last answer comes in the fifth minute.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(4 * 60_000);
    expect(result.elapsedMs).toBeLessThan(5 * 60_000);
    expect(result.rateLimited / result.attempts).toBeLessThan(0.02);
  });

  it.each(seeds)("paces by input tokens when they are the binding limit (seed %i)", (seed) => {
    const result = simulateRun({ rpm: 1000, itpm: 40_000, latencyMs }, { requests: 300, seed, inputTokens: (random) => 500 + random * 2500 });
    const fastest = ((result.totalInputTokens - 40_000) / 40_000) * 60_000;
    expect(result.answers.every((count) => count === 1)).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(fastest);
    expect(result.elapsedMs).toBeLessThan(fastest * 1.3);
    expect(result.rateLimited / result.attempts).toBeLessThan(0.02);
  });

  it.each(seeds)("settles near a server's concurrency when only 529s tell it (seed %i)", (seed) => {
    const server: SimulatedServer = { capacity: 12, headers: false, latencyMs };
    const result = simulateRun(server, { requests: 600, seed });
    expect(result.answers.every((count) => count === 1)).toBe(true);
    expect(result.maxInFlight).toBeLessThanOrEqual(14);
    expect(result.overloaded / result.attempts).toBeLessThan(0.03);
    // 12 at a time, 1.65 s on average: 82.5 s at best.
    expect(result.elapsedMs).toBeLessThan(82_500 * 1.5);
    // The second half of the run keeps the window within reach of the capacity.
    const late = result.windows.slice(result.windows.length / 2);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...late)).toBeLessThan(14);
  });

  it.each(seeds)("loses no request to random 529s and shrinks the window for them (seed %i)", (seed) => {
    const result = simulateRun({ rpm: 600, overloadRate: 0.1, latencyMs }, { requests: 300, seed });
    expect(result.answers.every((count) => count === 1)).toBe(true);
    expect(result.overloaded).toBeGreaterThan(0);
    expect(Math.min(...result.windows)).toBeLessThan(4);
  });

  it.each(seeds)("answers every request at the limit even without rate-limit headers, from retry-after alone (seed %i)", (seed) => {
    const result = simulateRun({ rpm: 60, headers: false, latencyMs }, { requests: 300, seed });
    const fastest = ((300 - 60) / 60) * 60_000;
    expect(result.answers.every((count) => count === 1)).toBe(true);
    expect(result.elapsedMs).toBeLessThan(fastest * 1.3);
    // Without headers each 429 is the only news: roughly one attempt in four is refused.
    expect(result.rateLimited / result.attempts).toBeLessThan(0.35);
  });
});
