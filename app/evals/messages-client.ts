// The one seam between the eval runners and the Anthropic Messages API. The builtin runner
// and the rubric judge call `create`; what sits behind it decides how: straight through the
// SDK, through the adaptive concurrency limiter, through Message Batches. Runners never
// know which.
import type Anthropic from "@anthropic-ai/sdk";

export type MessageParams = Anthropic.MessageCreateParamsNonStreaming;
export type CountTokensParams = Anthropic.MessageCountTokensParams;

/** One answered request, with what the transcript records about it. */
export interface AnsweredMessage {
  readonly message: Anthropic.Message;
  /** Wall time from sending to the answer (for a batch: the request's share is not known; the whole wait). */
  readonly latencyMs: number;
  readonly requestId?: string;
  /** Answered through Message Batches (billed at half price). */
  readonly batch?: boolean;
}

export interface MessagesClient {
  /** Sends one request. Rate limits and overload are the client's business: it waits and retries, it never loses a request to them. */
  create(params: MessageParams, signal?: AbortSignal): Promise<AnsweredMessage>;
  /** Counts input tokens of a request (the free token-counting endpoint). */
  countTokens(params: CountTokensParams, signal?: AbortSignal): Promise<number>;
}
