// The MessagesClient behind `--batch`: every `create` is answered through Message Batches
// (half the price; most batches end within the hour, all within 24 h). Runners do not
// change: a multi-turn tool loop works because each turn is a new `create` that joins the
// next batch.
//
// 1. Gather. A `create` waits `gatherMs` from the first call of a gathering for the calls
//    that come with it (the trials of a run, the next turns of loops that were answered
//    together), then the gathered calls are submitted — as several batches when they exceed
//    100,000 requests or 256 MB. Each call's custom_id is its own, unique in the client.
// 2. Poll. `messages.batches.retrieve` until `processing_status` is `ended`: the first poll
//    after `pollIntervalMs`, each next one 1.5× later, never more than `maxPollIntervalMs`
//    apart. A poll the SDK could not get through (rate limit, overload, lost connection)
//    is tried again at the next interval.
// 3. Read the results (`messages.batches.results`) and answer each call by custom_id with its
//    message (`batch: true`). An `errored` result whose error is transient (rate limit,
//    overload, api_error, timeout) is submitted again with the next gathering, up to
//    `maxResubmits` times; an invalid request, a canceled or an expired result, or a call
//    missing from the results fails with a BatchRequestError.
// 4. A batch the API refuses to create for rate limit or overload (after the SDK's retries)
//    goes back to the gathering after a backoff; any other refusal fails its calls.
// 5. `countTokens` has no batch form: it goes through a throttled client on the same SDK.
import type Anthropic from "@anthropic-ai/sdk";
import { APIConnectionError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import type { AnsweredMessage, MessageParams, MessagesClient } from "./messages-client.ts";
import { createThrottledClient } from "./throttled-client.ts";

type BatchResult = Anthropic.Messages.Batches.MessageBatchResult;

/** Time for the batch client: `now` in ms, and a sleep the signal can cut short (it then rejects). */
export interface BatchClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface BatchClientOptions {
  /** Wait before the first poll of a batch (default 5,000 ms). */
  readonly pollIntervalMs?: number;
  /** Longest wait between polls (default 60,000 ms). */
  readonly maxPollIntervalMs?: number;
  /** How long a gathering waits for more calls before it is submitted (default 2,000 ms). */
  readonly gatherMs?: number;
  /** Requests per batch (default and API maximum 100,000). */
  readonly maxRequestsPerBatch?: number;
  /** Bytes of request JSON per batch (default 250 MB, under the API's 256 MB). */
  readonly maxBatchBytes?: number;
  /** Times an errored request with a transient error is submitted again (default 3). */
  readonly maxResubmits?: number;
  /** Wait before a refused batch is submitted again (default 10,000 ms, doubling, at most 5 minutes). */
  readonly backoffMs?: number;
  readonly clock?: BatchClock;
}

/** What the batch client did. */
export interface BatchStats {
  readonly calls: number;
  readonly batches: number;
  readonly requestsSubmitted: number;
  readonly resubmitted: number;
  readonly polls: number;
}

export interface BatchClient extends MessagesClient {
  stats(): BatchStats;
}

/** A call a batch did not answer with a message: its result (errored, canceled, expired) or its absence. */
export class BatchRequestError extends Error {
  readonly batchId: string;
  /** The result the batch gave; undefined when the results did not name the call. */
  readonly result: BatchResult | undefined;
  constructor(message: string, batchId: string, result: BatchResult | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BatchRequestError";
    this.batchId = batchId;
    this.result = result;
  }
}

/** The default clock: the system's time and timers. */
export const systemBatchClock: BatchClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new APIUserAbortError());
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new APIUserAbortError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

interface Call {
  readonly customId: string;
  readonly params: MessageParams;
  readonly calledAt: number;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (answer: AnsweredMessage) => void;
  readonly reject: (error: unknown) => void;
  resubmits: number;
  settled: boolean;
}

const transientErrors: ReadonlySet<string> = new Set(["rate_limit_error", "overloaded_error", "api_error", "timeout_error"]);

/** A MessagesClient that answers every `create` through Message Batches. */
export function createBatchClient(sdk: Anthropic, options: BatchClientOptions = {}): BatchClient {
  const clock = options.clock ?? systemBatchClock;
  const pollIntervalMs = options.pollIntervalMs ?? 5_000;
  const maxPollIntervalMs = Math.max(pollIntervalMs, options.maxPollIntervalMs ?? 60_000);
  const gatherMs = options.gatherMs ?? 2_000;
  const maxRequests = Math.min(100_000, options.maxRequestsPerBatch ?? 100_000);
  const maxBytes = options.maxBatchBytes ?? 250 * 1024 * 1024;
  const maxResubmits = options.maxResubmits ?? 3;
  const backoffMs = options.backoffMs ?? 10_000;
  const counting = createThrottledClient(sdk);
  const counts = { calls: 0, batches: 0, requestsSubmitted: 0, resubmitted: 0, polls: 0 };
  let gathering: Call[] = [];
  let gatherScheduled = false;
  let nextId = 0;

  const settle = (call: Call, outcome: { answer: AnsweredMessage } | { error: unknown }) => {
    if (call.settled) return;
    call.settled = true;
    if ("answer" in outcome) call.resolve(outcome.answer);
    else call.reject(outcome.error);
  };

  const join = (calls: readonly Call[], afterMs = gatherMs) => {
    gathering.push(...calls);
    if (gatherScheduled) return;
    gatherScheduled = true;
    void clock.sleep(afterMs).then(() => {
      gatherScheduled = false;
      const ready = gathering.filter((call) => !call.settled);
      gathering = [];
      for (const chunk of splitBatches(ready, maxRequests, maxBytes)) {
        if ("tooBig" in chunk) {
          settle(chunk.tooBig, { error: new BatchRequestError(`a request of ${chunk.bytes} bytes is larger than a batch may be (${maxBytes} bytes)`, "", undefined) });
        } else {
          void runBatch(chunk.calls, 0);
        }
      }
    });
  };

  /** Submits one batch, waits for it to end, answers its calls. Never throws: every call is settled or gathered again. */
  const runBatch = async (calls: readonly Call[], refusals: number): Promise<void> => {
    let batchId: string;
    try {
      const batch = await sdk.messages.batches.create({
        requests: calls.map((call) => ({ custom_id: call.customId, params: call.params })),
      });
      batchId = batch.id;
      counts.batches += 1;
      counts.requestsSubmitted += calls.length;
    } catch (error) {
      if (isTransient(error)) {
        await clock.sleep(Math.min(300_000, backoffMs * 2 ** refusals));
        const live = calls.filter((call) => !call.settled);
        if (live.length > 0) void runBatch(live, refusals + 1);
        return;
      }
      for (const call of calls) settle(call, { error });
      return;
    }
    try {
      let wait = pollIntervalMs;
      for (;;) {
        await clock.sleep(wait);
        wait = Math.min(maxPollIntervalMs, wait * 1.5);
        if (calls.every((call) => call.settled)) return;
        let status: string;
        try {
          counts.polls += 1;
          status = (await sdk.messages.batches.retrieve(batchId)).processing_status;
        } catch (error) {
          if (isTransient(error)) continue;
          throw error;
        }
        if (status === "ended") break;
      }
      const byId = new Map(calls.map((call) => [call.customId, call]));
      const seen = new Set<string>();
      const again: Call[] = [];
      for await (const line of await sdk.messages.batches.results(batchId)) {
        const call = byId.get(line.custom_id);
        if (call === undefined) continue;
        seen.add(line.custom_id);
        const { result } = line;
        if (result.type === "succeeded") {
          settle(call, { answer: { message: result.message, latencyMs: clock.now() - call.calledAt, batch: true } });
        } else if (result.type === "errored" && transientErrors.has(result.error.error.type) && call.resubmits < maxResubmits) {
          call.resubmits += 1;
          counts.resubmitted += 1;
          again.push(call);
        } else {
          settle(call, { error: new BatchRequestError(describeResult(result, batchId), batchId, result) });
        }
      }
      for (const call of calls) {
        if (!seen.has(call.customId)) {
          settle(call, { error: new BatchRequestError(`batch ${batchId} ended without a result for request ${call.customId}`, batchId, undefined) });
        }
      }
      if (again.length > 0) join(again);
    } catch (error) {
      for (const call of calls) settle(call, { error });
    }
  };

  return {
    create(params, signal) {
      counts.calls += 1;
      return new Promise<AnsweredMessage>((resolve, reject) => {
        if (signal?.aborted) return reject(new APIUserAbortError());
        const call: Call = {
          customId: `r${(nextId += 1)}`,
          params,
          calledAt: clock.now(),
          signal,
          resolve,
          reject,
          resubmits: 0,
          settled: false,
        };
        // The batch goes on without it; the caller stops waiting.
        signal?.addEventListener("abort", () => settle(call, { error: new APIUserAbortError() }), { once: true });
        join([call]);
      });
    },
    countTokens: (params, signal) => counting.countTokens(params, signal),
    stats: () => ({ ...counts }),
  };
}

/** Splits calls into batches within the API's count and size limits; a call too big for any batch comes out alone as `tooBig`. */
export function splitBatches<T extends { readonly customId: string; readonly params: MessageParams }>(
  calls: readonly T[],
  maxRequests: number,
  maxBytes: number,
): ({ calls: T[] } | { tooBig: T; bytes: number })[] {
  const encoder = new TextEncoder();
  const envelope = encoder.encode('{"requests":[]}').length;
  const chunks: ({ calls: T[] } | { tooBig: T; bytes: number })[] = [];
  let current: T[] = [];
  let bytes = envelope;
  for (const call of calls) {
    const size = encoder.encode(JSON.stringify({ custom_id: call.customId, params: call.params })).length + 1;
    if (envelope + size > maxBytes) {
      chunks.push({ tooBig: call, bytes: size });
      continue;
    }
    if (current.length >= maxRequests || bytes + size > maxBytes) {
      chunks.push({ calls: current });
      current = [];
      bytes = envelope;
    }
    current.push(call);
    bytes += size;
  }
  if (current.length > 0) chunks.push({ calls: current });
  return chunks;
}

function describeResult(result: BatchResult, batchId: string): string {
  switch (result.type) {
    case "errored":
      return `batch ${batchId} answered the request with an error: ${result.error.error.type}: ${result.error.error.message}`;
    case "canceled":
      return `batch ${batchId} was canceled before the request was processed`;
    case "expired":
      return `batch ${batchId} expired (24 hours) before the request was processed`;
    default:
      return `batch ${batchId} answered the request with an unexpected result`;
  }
}

/** Refusals of a batch call that are worth trying again later. */
function isTransient(error: unknown): boolean {
  if (error instanceof APIUserAbortError) return false;
  if (error instanceof APIConnectionError) return true;
  if (!(error instanceof APIError)) return false;
  return error.status === 429 || error.status === 529 || error.status === 503 || error.type === "rate_limit_error" || error.type === "overloaded_error";
}
