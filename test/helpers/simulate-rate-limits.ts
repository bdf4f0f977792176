// A seeded discrete-event simulation of an eval run against a rate-limited Messages API, for
// the concurrency controller's tests. Simulated time only: nothing sleeps.
//
// The server keeps a token bucket per limit (Anthropic's algorithm: capacity = the per-minute
// limit, refilled continuously) or, with `window: "fixed"`, a counter per minute. Every
// response carries anthropic-ratelimit-* facts; a 429 carries retry-after in whole seconds.
// It can also be overloaded (529) at random or whenever more than `capacity` requests are
// in flight. The client sends each request through the controller and re-queues it after
// any failure until it is answered, as the throttled client does.
import {
  initialConcurrency,
  planNextStart,
  recordEnd,
  recordResponse,
  recordStart,
  type AttemptOutcome,
  type ConcurrencyOptions,
  type ConcurrencyState,
} from "../../app/core/evals/plan-concurrency.ts";
import type { RateLimitObservation } from "../../app/core/evals/parse-rate-limit-headers.ts";

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulatedServer {
  /** Requests per minute (omit: unlimited). */
  readonly rpm?: number;
  /** Input tokens per minute (omit: unlimited). */
  readonly itpm?: number;
  /** "bucket" (default): continuous refill; "fixed": the whole limit comes back each minute. */
  readonly window?: "bucket" | "fixed";
  /** Send anthropic-ratelimit-* facts (default true). */
  readonly headers?: boolean;
  /** Share of admitted requests answered 529 at random. */
  readonly overloadRate?: number;
  /** More requests in flight than this are answered 529. */
  readonly capacity?: number;
  /** Answer time of a request, from a uniform draw. */
  readonly latencyMs: (random: number) => number;
}

export interface SimulationRun {
  readonly requests: number;
  /** Input tokens of each request, from a uniform draw. */
  readonly inputTokens?: (random: number) => number;
  readonly seed: number;
  readonly options?: ConcurrencyOptions;
}

export interface SimulationResult {
  /** Answers per request id: every entry should be 1. */
  readonly answers: readonly number[];
  readonly attempts: number;
  readonly rateLimited: number;
  readonly overloaded: number;
  readonly maxInFlight: number;
  /** Simulated time from the first send to the last answer. */
  readonly elapsedMs: number;
  readonly totalInputTokens: number;
  /** The window after each response, in order. */
  readonly windows: readonly number[];
  readonly final: ConcurrencyState;
}

interface Bucket {
  readonly capacity: number;
  level: number;
  at: number;
}

type Event =
  | { readonly at: number; readonly kind: "wake" }
  | { readonly at: number; readonly kind: "answer"; readonly id: number; readonly attempt: number; readonly outcome: AttemptOutcome; readonly observation: RateLimitObservation };

const minute = 60_000;

/** Runs `run.requests` requests against `server` through the controller and reports what happened. */
export function simulateRun(server: SimulatedServer, run: SimulationRun): SimulationResult {
  const random = seededRandom(run.seed);
  const tokensOf = Array.from({ length: run.requests }, () => Math.round(run.inputTokens?.(random()) ?? 0));
  const buckets = {
    requests: server.rpm === undefined ? undefined : { capacity: server.rpm, level: server.rpm, at: 0 },
    inputTokens: server.itpm === undefined ? undefined : { capacity: server.itpm, level: server.itpm, at: 0 },
  };
  const refill = (bucket: Bucket, now: number) => {
    if (server.window === "fixed") {
      if (Math.floor(now / minute) > Math.floor(bucket.at / minute)) bucket.level = bucket.capacity;
    } else {
      bucket.level = Math.min(bucket.capacity, bucket.level + ((now - bucket.at) * bucket.capacity) / minute);
    }
    bucket.at = now;
  };
  const resetOf = (bucket: Bucket, now: number) =>
    server.window === "fixed"
      ? (Math.floor(now / minute) + 1) * minute
      : now + Math.ceil(((bucket.capacity - bucket.level) * minute) / bucket.capacity);
  const report = (bucket: Bucket, now: number) => ({ remaining: Math.max(0, Math.floor(bucket.level)), limit: bucket.capacity, resetAt: resetOf(bucket, now) });
  const waitFor = (bucket: Bucket, need: number, now: number) =>
    server.window === "fixed" ? resetOf(bucket, now) - now : Math.ceil(((need - bucket.level) * minute) / bucket.capacity);

  let serverInFlight = 0;
  const admit = (now: number, tokens: number): { outcome: AttemptOutcome; observation: RateLimitObservation; latency: number } => {
    const { requests, inputTokens } = buckets;
    if (requests) refill(requests, now);
    if (inputTokens) refill(inputTokens, now);
    const facts = (): RateLimitObservation =>
      server.headers === false
        ? {}
        : { ...(requests && { requests: report(requests, now) }), ...(inputTokens && { inputTokens: report(inputTokens, now) }) };
    const short = 50 + random() * 50;
    const waits: number[] = [];
    if (requests && requests.level < 1) waits.push(waitFor(requests, 1, now));
    if (inputTokens && inputTokens.level < tokens) waits.push(waitFor(inputTokens, tokens, now));
    if (waits.length > 0) {
      const retryAfterMs = Math.ceil(Math.max(...waits) / 1000) * 1000;
      return { outcome: "rate-limited", observation: { ...facts(), retryAfterMs }, latency: short };
    }
    if ((server.capacity !== undefined && serverInFlight >= server.capacity) || random() < (server.overloadRate ?? 0)) {
      return { outcome: "overloaded", observation: facts(), latency: short };
    }
    if (requests) requests.level -= 1;
    if (inputTokens) inputTokens.level -= tokens;
    return { outcome: "ok", observation: facts(), latency: server.latencyMs(random()) };
  };

  let state = initialConcurrency(run.options);
  const queue = Array.from({ length: run.requests }, (_, id) => id);
  const answers = new Array<number>(run.requests).fill(0);
  const events: Event[] = [];
  const schedule = (event: Event) => {
    let index = events.length;
    while (index > 0 && events[index - 1]!.at > event.at) index -= 1;
    events.splice(index, 0, event);
  };
  let attempts = 0;
  let rateLimited = 0;
  let overloaded = 0;
  let maxInFlight = 0;
  let wakeAt = Infinity;
  const windows: number[] = [];
  let now = 0;

  const pump = () => {
    while (queue.length > 0) {
      const id = queue[0]!;
      const plan = planNextStart(state, now, { inputTokens: tokensOf[id] });
      if (!plan.mayStart) {
        if (Number.isFinite(plan.startAt) && plan.startAt > now && plan.startAt < wakeAt) {
          wakeAt = plan.startAt;
          schedule({ at: plan.startAt, kind: "wake" });
        }
        return;
      }
      queue.shift();
      const started = recordStart(state, { inputTokens: tokensOf[id] });
      state = started.state;
      maxInFlight = Math.max(maxInFlight, state.inFlight);
      attempts += 1;
      const answer = admit(now, tokensOf[id]!);
      if (answer.outcome === "ok") serverInFlight += 1;
      schedule({ at: now + answer.latency, kind: "answer", id, attempt: started.attempt, outcome: answer.outcome, observation: answer.observation });
    }
  };

  pump();
  let guard = 0;
  while (events.length > 0) {
    if ((guard += 1) > 1_000_000) throw new Error("simulation did not finish");
    const event = events.shift()!;
    now = event.at;
    if (event.kind === "wake") {
      if (event.at === wakeAt) wakeAt = Infinity;
    } else {
      state = recordResponse(state, now, { attempt: event.attempt, outcome: event.outcome, observation: event.observation });
      state = recordEnd(state);
      windows.push(state.window);
      if (event.outcome === "ok") {
        serverInFlight -= 1;
        answers[event.id]! += 1;
      } else {
        if (event.outcome === "rate-limited") rateLimited += 1;
        if (event.outcome === "overloaded") overloaded += 1;
        queue.unshift(event.id);
      }
    }
    pump();
  }
  return {
    answers,
    attempts,
    rateLimited,
    overloaded,
    maxInFlight,
    elapsedMs: now,
    totalInputTokens: tokensOf.reduce((sum, tokens) => sum + tokens, 0),
    windows,
    final: state,
  };
}
