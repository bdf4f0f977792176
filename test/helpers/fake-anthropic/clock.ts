// The fake's sense of time. Rate-limit buckets, cache TTLs, batch processing and the times in
// headers all read `now()`; a test that hands in a manual clock moves time by calling
// `advance`, so five minutes of cache lifetime cost no real waiting.

/** Where the fake reads the time, and how long a client told to wait should really sleep. */
export interface FakeClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Real milliseconds a client should sleep when the fake tells it to wait `ms` on this clock.
   * Sent as `retry-after-ms` (which the SDK prefers to `retry-after`) when that header is on.
   */
  realDelayMs(ms: number): number;
}

/** A clock that only moves when told to. */
export interface ManualClock extends FakeClock {
  advance(ms: number): void;
  set(ms: number): void;
}

/** The wall clock: waits are real. */
export const systemClock: FakeClock = {
  now: () => Date.now(),
  realDelayMs: (ms) => ms,
};

/**
 * A clock that starts at `startMs` and moves by `advance`/`set`. A client told to wait sleeps
 * 1 real ms; with `skipWaits`, the clock itself jumps by the wait at the moment the fake
 * announces it, as if the client had waited (what a test of a retrying client wants).
 */
export function createManualClock(startMs = Date.parse("2026-01-05T09:00:00Z"), options: { skipWaits?: boolean } = {}): ManualClock {
  let now = startMs;
  return {
    now: () => now,
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`a clock cannot go back: advance(${ms})`);
      now += ms;
    },
    set(ms) {
      now = ms;
    },
    realDelayMs(ms) {
      if (options.skipWaits === true) now += ms;
      return 1;
    },
  };
}

/** An RFC 3339 time, whole seconds, rounded up so a client waiting for it never wakes early. */
export function rfc3339(ms: number): string {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
