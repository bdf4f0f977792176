// The plain MessagesClient: straight through the Anthropic SDK, whose own retries (with
// backoff, honouring `retry-after`) handle rate limits and overload. The only place the
// eval runners' SDK client is constructed.
import Anthropic from "@anthropic-ai/sdk";
import type { MessagesClient } from "./messages-client.ts";

export interface SdkClientOptions {
  readonly apiKey: string;
  /** Another Messages API, such as a fake on loopback; the SDK's default (or `ANTHROPIC_BASE_URL`) unless given. */
  readonly baseURL?: string;
  /** Retries of a failed request; the SDK's default (2) unless given. */
  readonly maxRetries?: number;
  /** Milliseconds; a monotonic clock unless a test fixes it. */
  readonly clock?: () => number;
}

/** A MessagesClient that sends each request through the SDK, with the request id the API gives it. */
export function createSdkClient(options: SdkClientOptions): MessagesClient {
  const sdk = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
  const clock = options.clock ?? (() => performance.now());
  return {
    async create(params, signal) {
      const start = clock();
      const { data, request_id } = await sdk.messages.create(params, signal ? { signal } : {}).withResponse();
      return { message: data, latencyMs: Math.max(0, clock() - start), ...(request_id ? { requestId: request_id } : {}) };
    },
    async countTokens(params, signal) {
      const counted = await sdk.messages.countTokens(params, signal ? { signal } : {});
      return counted.input_tokens;
    },
  };
}
