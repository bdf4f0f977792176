// The MessagesClient an eval run uses by default: the SDK straight through, paced by the
// adaptive concurrency controller (app/core/evals/plan-concurrency.ts) so a run spends no
// more than the account's limits allow and never loses a trial to them.
//
// 1. Each call waits in a FIFO lane until the controller lets it start (a free slot, no
//    retry-after or exhausted limit pending, room for its estimated input tokens and its
//    max_tokens). A call sent again after a refusal goes to the front.
// 2. It is sent with a per-request SDK middleware that reports every HTTP attempt — the
//    SDK's own retries included — to the controller: the rate-limit headers of successes
//    and errors alike, 429s, 529s and lost connections, as they happen.
// 3. The SDK's retries (its `maxRetries`) are the floor. When they are spent on a 429, a
//    529, an overloaded error, a 503 or a lost connection, the call goes back into the lane
//    and is sent again when the controller says, with no limit but `deadlineAt` and the
//    caller's abort signal. Any other error (400, 401, 404, 500 after the SDK's retries...)
//    is thrown as the SDK threw it.
// 4. `countTokens` goes through its own lane: the endpoint has limits of its own.
import type Anthropic from "@anthropic-ai/sdk";
import { APIConnectionError, APIError, APIUserAbortError, type Middleware } from "@anthropic-ai/sdk";
import { parseRateLimitHeaders } from "../core/evals/parse-rate-limit-headers.ts";
import {
  concurrencyLimit,
  initialConcurrency,
  outcomeOfStatus,
  planNextStart,
  recordCancel,
  recordEnd,
  recordResponse,
  recordStart,
  type AttemptOutcome,
  type ConcurrencyOptions,
  type ConcurrencyState,
  type NextRequest,
} from "../core/evals/plan-concurrency.ts";
import type { AnsweredMessage, CountTokensParams, MessageParams, MessagesClient } from "./messages-client.ts";

/** Time for the client: `now` in ms since the epoch (compared with the API's reset times), and a cancellable timer. */
export interface ThrottleClock {
  now(): number;
  setTimer(ms: number, run: () => void): () => void;
}

export interface ThrottledClientOptions {
  /** The Messages endpoint's controller (defaults: window 4 to 64). */
  readonly concurrency?: ConcurrencyOptions;
  /** The token-counting endpoint's controller. */
  readonly countTokensConcurrency?: ConcurrencyOptions;
  /** No request is sent or re-sent after this time (ms on the clock); waiting calls fail with a ThrottleDeadlineError. */
  readonly deadlineAt?: number;
  /** Input tokens of a request, estimated before sending (default: its JSON length / 3, which overestimates prose). */
  readonly estimateInputTokens?: (params: MessageParams) => number;
  readonly clock?: ThrottleClock;
}

/** What one endpoint's lane did. */
export interface EndpointStats {
  /** Calls made through the client. */
  readonly calls: number;
  /** HTTP attempts sent, first sends and retries. */
  readonly requests: number;
  /** Attempts after a call's first: the SDK's retries and re-queued sends. */
  readonly retries: number;
  /** Times a call went back into the lane after the SDK's retries were spent. */
  readonly requeued: number;
  /** 429 responses. */
  readonly rateLimited: number;
  /** 529 responses. */
  readonly overloaded: number;
  /** Most calls in flight at once. */
  readonly maxInFlight: number;
  /** Calls in flight now. */
  readonly inFlight: number;
  /** The controller's window now. */
  readonly limit: number;
}

export interface ThrottleStats {
  readonly messages: EndpointStats;
  readonly countTokens: EndpointStats;
}

/** A MessagesClient that also reports what pacing it did. */
export interface ThrottledClient extends MessagesClient {
  stats(): ThrottleStats;
}

/** A call still waiting, or given up on, when the client's deadline passed. */
export class ThrottleDeadlineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ThrottleDeadlineError";
  }
}

/** The default clock: the system's. */
export const systemClock: ThrottleClock = {
  now: () => Date.now(),
  setTimer(ms, run) {
    const timer = setTimeout(run, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** A MessagesClient over `sdk` that paces requests to the account's limits and re-sends what rate limits and overload refused. */
export function createThrottledClient(sdk: Anthropic, options: ThrottledClientOptions = {}): ThrottledClient {
  const clock = options.clock ?? systemClock;
  const messages = new Lane(initialConcurrency(options.concurrency), clock, options.deadlineAt);
  const counting = new Lane(initialConcurrency(options.countTokensConcurrency), clock, options.deadlineAt);
  const estimate = options.estimateInputTokens ?? estimateInputTokens;
  return {
    async create(params, signal) {
      const started = { at: 0 };
      const size = { inputTokens: estimate(params), outputTokens: params.max_tokens };
      const { data, request_id } = await messages.run(size, signal, (requestOptions) => {
        started.at = clock.now();
        return sdk.messages.create(params, requestOptions).withResponse();
      });
      const answered: AnsweredMessage = { message: data, latencyMs: clock.now() - started.at };
      return request_id ? { ...answered, requestId: request_id } : answered;
    },
    async countTokens(params: CountTokensParams, signal) {
      const counted = await counting.run({}, signal, (requestOptions) => sdk.messages.countTokens(params, requestOptions));
      return counted.input_tokens;
    },
    stats: () => ({ messages: messages.stats(), countTokens: counting.stats() }),
  };
}

/** A request's size in tokens, estimated from its JSON without calling the API (about 3 characters a token, on the high side). */
export function estimateInputTokens(params: MessageParams): number {
  const { system, messages, tools } = params;
  return Math.ceil(JSON.stringify({ system, messages, tools }).length / 3);
}

interface Waiter {
  readonly size: NextRequest;
  /** Why the call is waiting again, for the deadline error. */
  readonly lastError: unknown;
  readonly admit: (attempt: number) => void;
  readonly fail: (error: unknown) => void;
}

type RequestOptions = { signal?: AbortSignal; middleware: Middleware[] };

/** One endpoint: its controller, the calls waiting for it, and its counts. */
class Lane {
  #state: ConcurrencyState;
  readonly #clock: ThrottleClock;
  readonly #deadlineAt: number | undefined;
  readonly #queue: Waiter[] = [];
  #timer: { at: number; cancel: () => void } | undefined;
  #counts = { calls: 0, requests: 0, retries: 0, requeued: 0, rateLimited: 0, overloaded: 0, maxInFlight: 0 };

  constructor(state: ConcurrencyState, clock: ThrottleClock, deadlineAt: number | undefined) {
    this.#state = state;
    this.#clock = clock;
    this.#deadlineAt = deadlineAt;
  }

  stats(): EndpointStats {
    return { ...this.#counts, inFlight: this.#state.inFlight, limit: concurrencyLimit(this.#state) };
  }

  /** Sends `send` when the controller lets it, re-sending it after refusals the SDK gave up on. */
  async run<T>(size: NextRequest, signal: AbortSignal | undefined, send: (options: RequestOptions) => Promise<T>): Promise<T> {
    this.#counts.calls += 1;
    let sends = 0;
    let lastError: unknown;
    for (;;) {
      const attempt = await this.#acquire(size, signal, lastError);
      let reported = false;
      const observe: Middleware = async (request, next) => {
        const current = reported ? this.#startRetry(size) : attempt;
        reported = true;
        this.#counts.requests += 1;
        if ((sends += 1) > 1) this.#counts.retries += 1;
        let response: Response;
        try {
          response = await next(request);
        } catch (error) {
          if (signal?.aborted) this.#cancel(current);
          else this.#report(current, "error", undefined);
          throw error;
        }
        this.#report(current, outcomeOfStatus(response.status), response.headers);
        return response;
      };
      try {
        return await send({ ...(signal && { signal }), middleware: [observe] });
      } catch (error) {
        if (!isRequeueable(error) || signal?.aborted) throw error;
        this.#counts.requeued += 1;
        lastError = error;
      } finally {
        // The SDK can fail before sending (an aborted signal): the attempt then never was.
        if (!reported) this.#cancel(attempt);
        this.#state = recordEnd(this.#state);
        this.#pump();
      }
    }
  }

  #acquire(size: NextRequest, signal: AbortSignal | undefined, lastError: unknown): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (signal?.aborted) return reject(new APIUserAbortError());
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(new APIUserAbortError());
        this.#pump();
      };
      const waiter: Waiter = {
        size,
        lastError,
        admit: (attempt) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(attempt);
        },
        fail: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      // A call sent again goes first: it has waited longest.
      if (lastError === undefined) this.#queue.push(waiter);
      else this.#queue.unshift(waiter);
      this.#pump();
    });
  }

  /** Lets waiting calls start while the controller allows, else sets a timer for when it might. */
  #pump(): void {
    for (;;) {
      const waiter = this.#queue[0];
      if (waiter === undefined) {
        // Nothing waits: a pending timer would only keep the process alive.
        this.#timer?.cancel();
        this.#timer = undefined;
        return;
      }
      const now = this.#clock.now();
      const plan = planNextStart(this.#state, now, waiter.size);
      if (this.#deadlineAt !== undefined && (now >= this.#deadlineAt || (Number.isFinite(plan.startAt) && plan.startAt >= this.#deadlineAt))) {
        this.#queue.shift();
        const why = waiter.lastError === undefined ? "" : " (it had been refused; see the cause)";
        waiter.fail(new ThrottleDeadlineError(`gave up on a request to the Anthropic API: it could not be sent before the run's deadline${why}`, { cause: waiter.lastError }));
        continue;
      }
      if (!plan.mayStart) {
        if (Number.isFinite(plan.startAt) && plan.startAt > now) this.#wakeAt(plan.startAt);
        return;
      }
      this.#queue.shift();
      const started = recordStart(this.#state, waiter.size);
      this.#state = started.state;
      this.#counts.maxInFlight = Math.max(this.#counts.maxInFlight, this.#state.inFlight);
      waiter.admit(started.attempt);
    }
  }

  #wakeAt(at: number): void {
    if (this.#timer && this.#timer.at <= at) return;
    this.#timer?.cancel();
    const cancel = this.#clock.setTimer(at - this.#clock.now(), () => {
      this.#timer = undefined;
      this.#pump();
    });
    this.#timer = { at, cancel };
  }

  #startRetry(size: NextRequest): number {
    const started = recordStart(this.#state, { ...size, slot: false });
    this.#state = started.state;
    return started.attempt;
  }

  #report(attempt: number, outcome: AttemptOutcome, headers: Headers | undefined): void {
    const now = this.#clock.now();
    if (outcome === "rate-limited") this.#counts.rateLimited += 1;
    if (outcome === "overloaded") this.#counts.overloaded += 1;
    const observation = headers ? parseRateLimitHeaders((name) => headers.get(name), now) : undefined;
    this.#state = recordResponse(this.#state, now, { attempt, outcome, ...(observation && { observation }) });
    this.#pump();
  }

  #cancel(attempt: number): void {
    this.#state = recordCancel(this.#state, attempt);
  }
}

/** Refusals worth sending again once the SDK's own retries are spent. */
function isRequeueable(error: unknown): boolean {
  if (error instanceof APIUserAbortError) return false;
  if (error instanceof APIConnectionError) return true;
  if (!(error instanceof APIError)) return false;
  return (
    error.status === 429 ||
    error.status === 529 ||
    error.status === 503 ||
    error.type === "rate_limit_error" ||
    error.type === "overloaded_error"
  );
}
