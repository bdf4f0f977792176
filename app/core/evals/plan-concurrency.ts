// How many Messages API requests an eval run may have in flight, and when the next may start.
// Pure: the caller passes the time, reports each start, each response and each end, and
// asks `planNextStart` before sending. Evals should spend little and never lose a trial to a
// rate limit; the policy:
//
// 1. Window. At most `window` requests are in flight (a logical request holds one slot from
//    its first send to its answer, through the SDK's own retries). It starts modest
//    (`initial`, 4, promptfoo's default) and never leaves [`min`, `max`].
// 2. Additive increase. An answered request (2xx) grows the window by 1/window — about one
//    slot per window's worth of answers — but only when the window was full (an unused
//    window proves nothing) and every limit the response reported still has at least
//    `healthyShare` of itself remaining. Near a limit the window holds still.
// 3. Multiplicative decrease. A 429 or 529 multiplies the window by `decrease` (½), once per
//    congestion event: answers to attempts sent before the last decrease were already
//    counted in it, so a burst of 429s from one window halves it once, not to 1.
// 4. Waits come from the server, else from backoff; there are no fixed sleeps. No request
//    starts while a `retry-after` is pending. A 429 without one waits for the reset of the
//    limit it exhausted; a 529 or a failed connection without one backs off exponentially
//    (`backoffBaseMs`·2ⁿ⁻¹ up to `backoffMaxMs`, n = failures in a row; an answer resets n).
//    Other errors (5xx, a lost connection) back off but keep the window: they say nothing
//    about our rate.
// 5. Headroom. The freshest report of each limit (requests, input tokens, output tokens)
//    is charged for every attempt started after the reported one (the server had not seen
//    those yet): the next request needs one request, its estimated input tokens and its
//    output tokens left. Output is charged at `max_tokens`, as the API reserves it on
//    admission (and returns what was not used; a newer report shows it). When what is left is
//    not enough, nothing starts until that limit's `reset` — the only time the header
//    promises anything: under a token bucket (Anthropic's) it is when the bucket is full,
//    under a fixed window when it refills — or until a newer report says there is room.
//    A report whose reset has passed no longer constrains.
// Any error a request finally fails with is the caller's business; this module only paces.
import type { RateLimitBucket, RateLimitObservation } from "./parse-rate-limit-headers.ts";

/** Tuning of the controller; every field has a default. */
export interface ConcurrencyOptions {
  /** Window at the start (default 4). */
  readonly initial?: number;
  /** Largest window (default 64). */
  readonly max?: number;
  /** Smallest window (default 1). */
  readonly min?: number;
  /** Share of a limit that must remain for the window to grow (default 0.25). */
  readonly healthyShare?: number;
  /** Factor the window is multiplied by on a 429 or 529 (default 0.5). */
  readonly decrease?: number;
  /** First backoff when the server gives no wait (default 1,000 ms). */
  readonly backoffBaseMs?: number;
  /** Longest backoff (default 60,000 ms). */
  readonly backoffMaxMs?: number;
}

/** How an attempt ended: answered, 429, 529, or any other failure (other status, no connection). */
export type AttemptOutcome = "ok" | "rate-limited" | "overloaded" | "error";

/** What keeps the next request from starting now. */
export type WaitReason = "window" | "retry-after" | "backoff" | "requests" | "input-tokens" | "output-tokens";

/** The answer to "may the next request start?". */
export interface ConcurrencyPlan {
  /** How many requests may be in flight now. */
  readonly limit: number;
  readonly inFlight: number;
  /** True when the next request may be sent now. */
  readonly mayStart: boolean;
  /**
   * The earliest time the next request may start as far as time goes (`now` if no wait is
   * pending); `Infinity` when only a response still in flight can make room. When `mayStart`
   * is false and `startAt <= now`, the request waits for a slot (`waitingFor` "window").
   */
  readonly startAt: number;
  /** The binding reason when `mayStart` is false; null otherwise. */
  readonly waitingFor: WaitReason | null;
}

/** What the caller knows about the next request. */
export interface NextRequest {
  /** Estimated input tokens (0 when unknown, e.g. token counting). */
  readonly inputTokens?: number;
  /** Output tokens the request may use (its `max_tokens`); unknown: it needs output tokens above zero. */
  readonly outputTokens?: number;
}

/** What one attempt's response said. */
export interface AttemptResponse {
  /** The attempt number `recordStart` gave. */
  readonly attempt: number;
  readonly outcome: AttemptOutcome;
  readonly observation?: RateLimitObservation;
}

type LimitName = "requests" | "inputTokens" | "outputTokens";

interface LimitView extends RateLimitBucket {
  /** The attempt whose response reported it. */
  readonly attempt: number;
}

interface Start {
  readonly attempt: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The controller's state; treat as opaque and replace it with what the record functions return. */
export interface ConcurrencyState {
  readonly options: Required<ConcurrencyOptions>;
  /** The window before rounding down. */
  readonly window: number;
  readonly inFlight: number;
  readonly nextAttempt: number;
  /** Attempts sent and not yet answered. */
  readonly open: readonly number[];
  /** Attempts the freshest limit reports (or a pending answer) have not seen. */
  readonly starts: readonly Start[];
  readonly limits: Readonly<Partial<Record<LimitName, LimitView>>>;
  readonly blockedUntil: number;
  readonly blockedBy: "retry-after" | "backoff" | null;
  /** Responses to attempts numbered below this were sent before the last decrease. */
  readonly decreaseFrom: number;
  /** Failures in a row, for the backoff. */
  readonly failures: number;
}

const defaults: Required<ConcurrencyOptions> = {
  initial: 4,
  max: 64,
  min: 1,
  healthyShare: 0.25,
  decrease: 0.5,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
};

/** A controller with nothing sent and nothing known. Throws a RangeError for options that contradict each other. */
export function initialConcurrency(options: ConcurrencyOptions = {}): ConcurrencyState {
  const resolved = { ...defaults, ...options };
  const { min, max, initial, decrease, healthyShare } = resolved;
  if (!(Number.isInteger(min) && min >= 1 && Number.isInteger(max) && max >= min)) {
    throw new RangeError(`concurrency: expected whole numbers 1 <= min <= max; got min ${min}, max ${max}`);
  }
  if (!(decrease > 0 && decrease < 1)) throw new RangeError(`concurrency: expected 0 < decrease < 1; got ${decrease}`);
  if (!(healthyShare >= 0 && healthyShare <= 1)) throw new RangeError(`concurrency: expected 0 <= healthyShare <= 1; got ${healthyShare}`);
  return {
    options: resolved,
    window: Math.min(max, Math.max(min, initial)),
    inFlight: 0,
    nextAttempt: 0,
    open: [],
    starts: [],
    limits: {},
    blockedUntil: -Infinity,
    blockedBy: null,
    decreaseFrom: 0,
    failures: 0,
  };
}

/** The window as a whole number of requests. */
export function concurrencyLimit(state: ConcurrencyState): number {
  return Math.floor(state.window);
}

/** May the next request start at `now`, and if not, from when. */
export function planNextStart(state: ConcurrencyState, now: number, next: NextRequest = {}): ConcurrencyPlan {
  const limit = concurrencyLimit(state);
  let startAt = now;
  let waitingFor: WaitReason | null = null;
  if (state.blockedUntil > now) {
    startAt = state.blockedUntil;
    waitingFor = state.blockedBy;
  }
  const needs: readonly [LimitName, WaitReason, number][] = [
    ["requests", "requests", 1],
    ["inputTokens", "input-tokens", Math.max(0, next.inputTokens ?? 0)],
    ["outputTokens", "output-tokens", Math.max(1, next.outputTokens ?? 1)],
  ];
  for (const [name, reason, need] of needs) {
    const view = state.limits[name];
    if (view === undefined || !isCurrent(view, now)) continue;
    if ((name === "inputTokens" && need === 0) || headroom(state, name, view) >= need) continue;
    // Not enough left: wait for the reset, or for a newer report from a request in flight.
    const until = view.resetAt ?? (state.open.length > 0 ? Infinity : now);
    if (until > startAt) {
      startAt = until;
      waitingFor = reason;
    }
  }
  if (startAt > now) return { limit, inFlight: state.inFlight, mayStart: false, startAt, waitingFor };
  if (state.inFlight >= limit) return { limit, inFlight: state.inFlight, mayStart: false, startAt, waitingFor: "window" };
  return { limit, inFlight: state.inFlight, mayStart: true, startAt, waitingFor: null };
}

/**
 * Records that an attempt was sent. `slot: true` (the default) is a new logical request
 * taking a slot of the window; `slot: false` is a resend of one already holding a slot (the
 * SDK's own retries). Returns the attempt's number for `recordResponse`.
 */
export function recordStart(
  state: ConcurrencyState,
  start: NextRequest & { readonly slot?: boolean } = {},
): { readonly state: ConcurrencyState; readonly attempt: number } {
  const attempt = state.nextAttempt;
  return {
    attempt,
    state: {
      ...state,
      inFlight: state.inFlight + (start.slot === false ? 0 : 1),
      nextAttempt: attempt + 1,
      open: [...state.open, attempt],
      starts: [...state.starts, { attempt, inputTokens: Math.max(0, start.inputTokens ?? 0), outputTokens: Math.max(0, start.outputTokens ?? 0) }],
    },
  };
}

/** Learns from one attempt's response (or its failure to get one) at `now`. */
export function recordResponse(state: ConcurrencyState, now: number, response: AttemptResponse): ConcurrencyState {
  const { attempt, outcome, observation = {} } = response;
  const { options } = state;
  const limits = { ...state.limits };
  for (const name of ["requests", "inputTokens", "outputTokens"] as const) {
    const reported = observation[name];
    const known = limits[name];
    if (reported && (known === undefined || attempt > known.attempt || !isCurrent(known, now))) {
      limits[name] = { ...reported, attempt };
    }
  }
  let { window, blockedUntil, blockedBy, decreaseFrom, failures } = state;
  if (outcome === "ok") {
    failures = 0;
    if (state.inFlight >= Math.floor(window) && isHealthy(observation, options.healthyShare)) {
      window = Math.min(options.max, window + 1 / Math.floor(window));
    }
  } else {
    failures += 1;
    if ((outcome === "rate-limited" || outcome === "overloaded") && attempt >= decreaseFrom) {
      window = Math.max(options.min, window * options.decrease);
      decreaseFrom = state.nextAttempt;
    }
    const wait = waitAfterFailure(outcome, observation, limits, failures, options, now);
    if (now + wait.ms > blockedUntil) {
      blockedUntil = now + wait.ms;
      blockedBy = wait.reason;
    }
  }
  return prune(now, {
    ...state,
    window,
    open: state.open.filter((open) => open !== attempt),
    limits,
    blockedUntil,
    blockedBy,
    decreaseFrom,
    failures,
  });
}

/**
 * Forgets an attempt that will never be answered (the caller gave up before a response,
 * or it was never sent). It learns nothing; what it may have cost stays charged until a
 * newer report.
 */
export function recordCancel(state: ConcurrencyState, attempt: number): ConcurrencyState {
  return { ...state, open: state.open.filter((open) => open !== attempt) };
}

/** Records that a logical request is over (answered, or given up): its slot is free. */
export function recordEnd(state: ConcurrencyState): ConcurrencyState {
  return { ...state, inFlight: Math.max(0, state.inFlight - 1) };
}

/** Sorts a response's HTTP status (undefined: no response, e.g. a lost connection) into an outcome. */
export function outcomeOfStatus(status: number | undefined): AttemptOutcome {
  if (status === undefined) return "error";
  if (status >= 200 && status < 300) return "ok";
  if (status === 429) return "rate-limited";
  if (status === 529) return "overloaded";
  return "error";
}

function isCurrent(view: LimitView, now: number): boolean {
  return view.resetAt === undefined || view.resetAt > now;
}

/** What is left of a limit once the attempts its report has not seen are charged. */
function headroom(state: ConcurrencyState, name: LimitName, view: LimitView): number {
  let left = view.remaining;
  for (const start of state.starts) {
    if (start.attempt > view.attempt) left -= name === "requests" ? 1 : name === "inputTokens" ? start.inputTokens : start.outputTokens;
  }
  return left;
}

function isHealthy(observation: RateLimitObservation, share: number): boolean {
  for (const bucket of [observation.requests, observation.inputTokens, observation.outputTokens]) {
    if (bucket === undefined) continue;
    if (bucket.limit === undefined || bucket.limit === 0 ? bucket.remaining <= 0 : bucket.remaining < share * bucket.limit) {
      return false;
    }
  }
  return true;
}

function waitAfterFailure(
  outcome: AttemptOutcome,
  observation: RateLimitObservation,
  limits: Readonly<Partial<Record<LimitName, LimitView>>>,
  failures: number,
  options: Required<ConcurrencyOptions>,
  now: number,
): { ms: number; reason: "retry-after" | "backoff" } {
  if (observation.retryAfterMs !== undefined) return { ms: observation.retryAfterMs, reason: "retry-after" };
  if (outcome === "rate-limited") {
    // The limit the 429 exhausted says when it refills.
    const resets = Object.values(limits)
      .filter((view) => view.remaining <= 0 && view.resetAt !== undefined && view.resetAt > now)
      .map((view) => view.resetAt! - now);
    if (resets.length > 0) return { ms: Math.max(...resets), reason: "retry-after" };
  }
  const ms = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** (failures - 1));
  return { ms, reason: "backoff" };
}

/** Forgets starts that no current report and no pending answer can need any more. */
function prune(now: number, state: ConcurrencyState): ConcurrencyState {
  const current = Object.values(state.limits).filter((view) => isCurrent(view, now));
  const anchors = [...state.open, ...current.map((view) => view.attempt)];
  const oldest = anchors.length === 0 ? state.nextAttempt : Math.min(...anchors);
  const starts = state.starts.filter((start) => start.attempt > oldest);
  return starts.length === state.starts.length ? state : { ...state, starts };
}
