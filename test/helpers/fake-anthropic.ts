// A fake Anthropic Messages API on loopback, for tests and the benchmark, driven by the real
// @anthropic-ai/sdk through `baseURL` / ANTHROPIC_BASE_URL. It answers like the service:
// POST /v1/messages (a scripted responder supplies the content), /v1/messages/count_tokens,
// Message Batches (create, retrieve, list, cancel, delete, JSONL results at `results_url`);
// the error envelope, `request-id`, prompt caching, rate limits with `anthropic-ratelimit-*`
// headers and 429 + `retry-after`, injectable 529s and latency. Time comes from a clock the
// test may control. Every request is recorded.
import type Anthropic from "@anthropic-ai/sdk";
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { rfc3339, systemClock, type FakeClock } from "./fake-anthropic/clock.ts";
import { PromptCache, defaultMinCacheableTokens, type CachePlan } from "./fake-anthropic/prompt-cache.ts";
import { InvalidRequest, parsePrompt, type Prompt } from "./fake-anthropic/prompt.ts";
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimits } from "./fake-anthropic/rate-limits.ts";
import { buildContent, echoResponder, type Responder, type ResponderContext, type ResponderError, type ResponderReply } from "./fake-anthropic/responder.ts";

export { createManualClock, systemClock, type FakeClock, type ManualClock } from "./fake-anthropic/clock.ts";
export { MIN_CACHEABLE_TOKENS, defaultMinCacheableTokens } from "./fake-anthropic/prompt-cache.ts";
export { estimateTokens } from "./fake-anthropic/prompt.ts";
export { DEFAULT_RATE_LIMITS, type RateLimits } from "./fake-anthropic/rate-limits.ts";
export { echoResponder, scriptedResponder, textOf, type Responder, type ResponderContext, type ResponderError, type ResponderReply, type ScriptedBlock } from "./fake-anthropic/responder.ts";

export interface FakeAnthropicOptions {
  /** Produces each answer. Default: `echoResponder`. */
  readonly responder?: Responder;
  /** The one key accepted (in `x-api-key` or `Authorization: Bearer`). Default: any non-empty key. */
  readonly apiKey?: string;
  /** Default: the system clock. */
  readonly clock?: FakeClock;
  /** Per-minute limits; unset ones keep DEFAULT_RATE_LIMITS. */
  readonly rateLimits?: Partial<RateLimits>;
  /**
   * Also send `retry-after-ms` (the SDK prefers it to `retry-after`) with the clock's real
   * delay, so a client on a manual clock does not sleep whole seconds. The service sends only
   * `retry-after`. Default: on when a clock is given, off on the system clock.
   */
  readonly retryAfterMs?: boolean;
  /** 529 `overloaded_error` injection: the next `next` Messages requests, and/or each with `probability` (seeded PRNG). */
  readonly overload?: { readonly next?: number; readonly probability?: number; readonly seed?: number };
  /** Real milliseconds each successful Messages request takes before it is answered. */
  readonly latencyMs?: number | ((request: Anthropic.MessageCreateParamsNonStreaming) => number);
  /** Minimum cacheable prefix for a model id. Default: `defaultMinCacheableTokens` (the MIN_CACHEABLE_TOKENS table). */
  readonly minCacheableTokens?: (model: string) => number;
  /** Clock milliseconds from a batch's creation until it has ended. Past 24 h its requests expire. Default 0. */
  readonly batchProcessingMs?: number;
  /** Model ids the fake knows; others get 404 `not_found_error`. Default: any id. */
  readonly models?: readonly string[];
}

/** One HTTP request as received, and what was answered. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, e.g. `/v1/messages`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, or the raw text when it is not JSON, or undefined when empty. */
  readonly body: unknown;
  /** The fake's clock when it arrived. */
  readonly at: number;
  readonly requestId: string;
  status?: number;
  responseHeaders?: Record<string, string>;
}

/** A Messages request the fake answered with a message (over HTTP or in a batch). */
export interface AnsweredRequest {
  readonly params: Anthropic.MessageCreateParamsNonStreaming;
  readonly message: Anthropic.Message;
  readonly requestId: string;
  readonly batch?: { readonly id: string; readonly customId: string };
}

export interface FakeAnthropic {
  /** The base URL for the SDK (`baseURL`), without `/v1`. */
  readonly url: string;
  /** A key the fake accepts. */
  readonly apiKey: string;
  /** ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY pointing at the fake. */
  readonly env: { readonly ANTHROPIC_BASE_URL: string; readonly ANTHROPIC_API_KEY: string };
  readonly clock: FakeClock;
  /** Every HTTP request, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Every answered message, in order. */
  readonly answered: readonly AnsweredRequest[];
  /** Messages requests being handled now, and the most ever at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  setResponder(responder: Responder): void;
  /** The next `count` Messages requests get 529 `overloaded_error`. */
  overloadNext(count: number): void;
  /** Live prompt-cache entries. */
  cacheEntries(): number;
  close(): Promise<void>;
}

interface Batch {
  readonly id: string;
  readonly createdAt: number;
  readonly requests: ReadonlyArray<{ readonly custom_id: string; readonly params: unknown }>;
  status: "in_progress" | "canceling" | "ended";
  cancelInitiatedAt?: number;
  endedAt?: number;
  results?: Anthropic.Messages.MessageBatchIndividualResponse[];
  processing?: Promise<void>;
}

const DAY_MS = 24 * 60 * 60_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/** An error the fake answers with, in the API's envelope. */
class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly headers: Record<string, string>;

  constructor(status: number, type: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.headers = headers;
  }
}

/** Starts the fake on 127.0.0.1 on a free port. */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const clock = options.clock ?? systemClock;
  const retryAfterMs = options.retryAfterMs ?? clock !== systemClock;
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  const limiter = new RateLimiter(limits, clock.now());
  const cache = new PromptCache(options.minCacheableTokens ?? defaultMinCacheableTokens);
  const random = mulberry32(options.overload?.seed ?? 1);
  const requests: RecordedRequest[] = [];
  const answered: AnsweredRequest[] = [];
  const batches = new Map<string, Batch>();
  const counters = new Map<string, number>();
  let responder = options.responder ?? echoResponder;
  let overloadPending = options.overload?.next ?? 0;
  let answeredCount = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const nextId = (prefix: string) => {
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    return `${prefix}_01${base62(createHash("sha256").update(`${prefix}:${n}`).digest()).slice(0, 22)}`;
  };

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ type: "error", error: { type: "api_error", message: `the fake failed: ${String(error)}` }, request_id: null }));
      }
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = (await readBody(request)).toString("utf8");
    const record: RecordedRequest = {
      method: request.method ?? "GET",
      path: request.url ?? "/",
      headers: request.headers,
      body: parseJson(text),
      at: clock.now(),
      requestId: nextId("req"),
    };
    requests.push(record);
    const send = (status: number, body: string, headers: Record<string, string>) => {
      const all = { "request-id": record.requestId, ...headers };
      record.status = status;
      record.responseHeaders = all;
      response.writeHead(status, all);
      response.end(body);
    };
    const sendJson = (status: number, value: unknown, headers: Record<string, string> = {}) => send(status, JSON.stringify(value), { "content-type": "application/json", ...headers });
    const sendError = (error: ApiError) => sendJson(error.status, { type: "error", error: { type: error.type, message: error.message }, request_id: record.requestId }, error.headers);

    const pathname = new URL(record.path, "http://fake").pathname;
    const isMessages = record.method === "POST" && pathname === "/v1/messages";
    if (isMessages) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      response.once("close", () => inFlight--);
    }
    try {
      authenticate(request.headers);
      if (typeof record.body === "string") throw new ApiError(400, "invalid_request_error", "The request body is not valid JSON.");
      if (isMessages) return sendJson(200, ...(await createMessage(record)));
      if (record.method === "POST" && pathname === "/v1/messages/count_tokens") return sendJson(200, ...countTokens(record));
      if (pathname === "/v1/messages/batches" && record.method === "POST") return sendJson(200, createBatch(record.body));
      if (pathname === "/v1/messages/batches" && record.method === "GET") return sendJson(200, await listBatches(new URL(record.path, "http://fake").searchParams));
      const match = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(pathname);
      if (match !== null) {
        const batch = batches.get(match[1]!);
        if (batch === undefined) throw new ApiError(404, "not_found_error", `No message batch with id \`${match[1]}\`.`);
        await observe(batch);
        if (match[2] === undefined && record.method === "GET") return sendJson(200, batchObject(batch));
        if (match[2] === undefined && record.method === "DELETE") {
          if (batch.status !== "ended") throw new ApiError(400, "invalid_request_error", `Message batch ${batch.id} cannot be deleted while it is ${batch.status}; cancel it first.`);
          batches.delete(batch.id);
          return sendJson(200, { id: batch.id, type: "message_batch_deleted" });
        }
        if (match[2] === "/cancel" && record.method === "POST") {
          if (batch.status === "in_progress") {
            batch.status = "canceling";
            batch.cancelInitiatedAt = clock.now();
          }
          return sendJson(200, batchObject(batch));
        }
        if (match[2] === "/results" && record.method === "GET") {
          if (batch.results === undefined) throw new ApiError(400, "invalid_request_error", `Message batch ${batch.id} has not ended (processing_status ${batch.status}); results are available once it has.`);
          return send(200, batch.results.map((line) => JSON.stringify(line)).join("\n") + "\n", { "content-type": "application/binary" });
        }
      }
      throw new ApiError(404, "not_found_error", `Not found: ${record.method} ${pathname}`);
    } catch (error) {
      if (error instanceof ApiError) return sendError(error);
      if (error instanceof InvalidRequest) return sendError(new ApiError(400, "invalid_request_error", error.message));
      throw error;
    }
  }

  function authenticate(headers: IncomingHttpHeaders): void {
    // SDK 1.x sends the key as `Authorization: Bearer`; older clients and curl send `x-api-key`.
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1];
    const key = headers["x-api-key"] ?? bearer;
    if (typeof key !== "string" || key === "") throw new ApiError(401, "authentication_error", "x-api-key header is required");
    if (options.apiKey !== undefined && key !== options.apiKey) throw new ApiError(401, "authentication_error", "invalid x-api-key");
    if (headers["anthropic-version"] === undefined) throw new ApiError(400, "invalid_request_error", "anthropic-version: header is required");
  }

  function checkModel(model: string): void {
    if (options.models !== undefined && !options.models.includes(model)) throw new ApiError(404, "not_found_error", `model: ${model}`);
  }

  /**
   * 1. validate; 2. maybe overload; 3. plan the cache and admit against the rate limits;
   * 4. ask the responder; 5. wait the latency; 6. commit the cache, settle the output reservation.
   */
  async function createMessage(record: RecordedRequest): Promise<[Anthropic.Message, Record<string, string>]> {
    const prompt = parsePrompt(record.body, { requireMaxTokens: true });
    const params = record.body as Anthropic.MessageCreateParamsNonStreaming;
    checkModel(prompt.model);
    if (overloadPending > 0 || (options.overload?.probability ?? 0) > random()) {
      if (overloadPending > 0) overloadPending--;
      throw new ApiError(529, "overloaded_error", "Overloaded");
    }
    const now = clock.now();
    const plan = cache.plan(prompt, now);
    const admitted = limiter.admit(plan.inputTokens + plan.creation5mTokens + plan.creation1hTokens, params.max_tokens, now);
    if (!admitted.ok) {
      const headers: Record<string, string> = { ...limiter.messagesHeaders(now), "retry-after": String(Math.max(1, Math.ceil(admitted.waitMs / 1000))) };
      if (retryAfterMs) headers["retry-after-ms"] = String(clock.realDelayMs(admitted.waitMs));
      throw new ApiError(429, "rate_limit_error", `This request would exceed your organization's rate limit of ${admitted.limit}. Wait for the time in retry-after, or reduce the prompt length or max_tokens.`, headers);
    }
    let outcome: { message: Anthropic.Message } | ResponderError;
    try {
      outcome = await answer(params, prompt, plan, { requestId: record.requestId, headers: record.headers });
      const latency = typeof options.latencyMs === "function" ? options.latencyMs(params) : (options.latencyMs ?? 0);
      if (latency > 0) await sleep(latency);
    } catch (error) {
      limiter.outputTokens.give(params.max_tokens, clock.now());
      throw error;
    }
    const end = clock.now();
    if ("error" in outcome) {
      limiter.outputTokens.give(params.max_tokens, end);
      throw new ApiError(outcome.error.status, outcome.error.type, outcome.error.message, limiter.messagesHeaders(end));
    }
    cache.commit(plan, end);
    limiter.outputTokens.give(params.max_tokens - outcome.message.usage.output_tokens, end);
    return [outcome.message, limiter.messagesHeaders(end)];
  }

  /** The responder's reply as a Message with the plan's usage; records it. */
  async function answer(
    params: Anthropic.MessageCreateParamsNonStreaming,
    prompt: Prompt,
    plan: CachePlan,
    context: { requestId: string; headers: IncomingHttpHeaders; batch?: { id: string; customId: string } },
  ): Promise<{ message: Anthropic.Message } | ResponderError> {
    const full: ResponderContext = {
      index: answeredCount++,
      turn: params.messages.filter((message) => message.role === "assistant").length,
      now: clock.now(),
      inputTokens: prompt.inputTokens,
      ...context,
    };
    const reply: ResponderReply | ResponderError = await responder(params, full);
    if ("error" in reply) return reply;
    const built = buildContent(reply, params, () => nextId("toolu"));
    const message: Anthropic.Message = {
      id: nextId("msg"),
      type: "message",
      role: "assistant",
      model: params.model,
      content: built.content,
      stop_reason: built.stopReason,
      stop_sequence: built.stopSequence,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: {
        input_tokens: plan.inputTokens,
        output_tokens: built.outputTokens,
        cache_creation_input_tokens: plan.creation5mTokens + plan.creation1hTokens,
        cache_read_input_tokens: plan.readTokens,
        cache_creation: { ephemeral_5m_input_tokens: plan.creation5mTokens, ephemeral_1h_input_tokens: plan.creation1hTokens },
        service_tier: context.batch === undefined ? "standard" : "batch",
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: null,
        speed: null,
      },
    };
    answered.push({ params, message, requestId: context.requestId, ...(context.batch === undefined ? {} : { batch: context.batch }) });
    return { message };
  }

  function countTokens(record: RecordedRequest): [Anthropic.MessageTokensCount, Record<string, string>] {
    const prompt = parsePrompt(record.body, { requireMaxTokens: false });
    checkModel(prompt.model);
    const now = clock.now();
    const wait = limiter.countTokensRequests.waitFor(1, now);
    if (wait > 0) {
      const headers: Record<string, string> = { ...limiter.countTokensHeaders(now), "retry-after": String(Math.max(1, Math.ceil(wait / 1000))) };
      if (retryAfterMs) headers["retry-after-ms"] = String(clock.realDelayMs(wait));
      throw new ApiError(429, "rate_limit_error", `This request would exceed your organization's rate limit of ${limiter.countTokensRequests.perMinute} token-counting requests per minute.`, headers);
    }
    limiter.countTokensRequests.take(1, now);
    return [{ input_tokens: prompt.inputTokens }, limiter.countTokensHeaders(now)];
  }

  function createBatch(body: unknown): Anthropic.Messages.MessageBatch {
    const list = (body as { requests?: unknown } | undefined)?.requests;
    if (list === undefined) throw new InvalidRequest("requests: Field required");
    if (!Array.isArray(list) || list.length === 0) throw new InvalidRequest("requests: Input should be a non-empty list");
    if (list.length > 100_000) throw new InvalidRequest(`requests: a batch holds at most 100000 requests; got ${list.length}`);
    const seen = new Set<string>();
    list.forEach((item: { custom_id?: unknown; params?: unknown }, i) => {
      if (typeof item?.custom_id !== "string" || !CUSTOM_ID.test(item.custom_id)) throw new InvalidRequest(`requests.${i}.custom_id: String should match pattern '${CUSTOM_ID.source}'`);
      if (seen.has(item.custom_id)) throw new InvalidRequest(`requests.${i}.custom_id: custom_id \`${item.custom_id}\` is used more than once; each request in a batch needs its own`);
      seen.add(item.custom_id);
      if (typeof item.params !== "object" || item.params === null) throw new InvalidRequest(`requests.${i}.params: Field required`);
    });
    const batch: Batch = { id: nextId("msgbatch"), createdAt: clock.now(), requests: list as Batch["requests"], status: "in_progress" };
    batches.set(batch.id, batch);
    return batchObject(batch);
  }

  async function listBatches(query: URLSearchParams): Promise<{ data: Anthropic.Messages.MessageBatch[]; has_more: boolean; first_id: string | null; last_id: string | null }> {
    const all = [...batches.values()].reverse();
    await Promise.all(all.map(observe));
    const limit = Number(query.get("limit") ?? 20);
    const after = query.get("after_id");
    const start = after === null ? 0 : all.findIndex((batch) => batch.id === after) + 1;
    const page = all.slice(start, start + limit).map(batchObject);
    return { data: page, has_more: start + limit < all.length, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null };
  }

  /** Ends a batch once its processing time has passed on the clock, or a cancel was asked for. */
  function observe(batch: Batch): Promise<void> {
    if (batch.processing !== undefined) return batch.processing;
    const delay = options.batchProcessingMs ?? 0;
    const now = clock.now();
    if (batch.status === "canceling") {
      batch.processing = Promise.resolve().then(() => {
        batch.results = batch.requests.map((item) => ({ custom_id: item.custom_id, result: { type: "canceled" } }));
        batch.endedAt = now;
        batch.status = "ended";
      });
      return batch.processing;
    }
    if (batch.status !== "in_progress" || now < batch.createdAt + Math.min(delay, DAY_MS)) return Promise.resolve();
    batch.processing = (async () => {
      const results: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
      for (const item of batch.requests) {
        if (delay >= DAY_MS) {
          results.push({ custom_id: item.custom_id, result: { type: "expired" } });
          continue;
        }
        results.push({ custom_id: item.custom_id, result: await answerBatchItem(batch, item) });
      }
      batch.results = results;
      batch.endedAt = batch.createdAt + Math.min(delay, DAY_MS);
      batch.status = "ended";
    })();
    return batch.processing;
  }

  async function answerBatchItem(batch: Batch, item: Batch["requests"][number]): Promise<Anthropic.Messages.MessageBatchResult> {
    const errored = (type: string, message: string): Anthropic.Messages.MessageBatchResult => ({ type: "errored", error: { type: "error", error: { type, message } as Anthropic.ErrorObject, request_id: null } });
    try {
      const prompt = parsePrompt(item.params, { requireMaxTokens: true });
      checkModel(prompt.model);
      const params = item.params as Anthropic.MessageCreateParamsNonStreaming;
      const plan = cache.plan(prompt, clock.now());
      const outcome = await answer(params, prompt, plan, { requestId: nextId("req"), headers: {}, batch: { id: batch.id, customId: item.custom_id } });
      if ("error" in outcome) return errored(outcome.error.type, outcome.error.message);
      cache.commit(plan, clock.now());
      return { type: "succeeded", message: outcome.message };
    } catch (error) {
      if (error instanceof InvalidRequest) return errored("invalid_request_error", error.message);
      if (error instanceof ApiError) return errored(error.type, error.message);
      throw error;
    }
  }

  function batchObject(batch: Batch): Anthropic.Messages.MessageBatch {
    const counts = { canceled: 0, errored: 0, expired: 0, processing: 0, succeeded: 0 };
    if (batch.results === undefined) counts.processing = batch.requests.length;
    else for (const line of batch.results) counts[line.result.type]++;
    return {
      id: batch.id,
      type: "message_batch",
      processing_status: batch.status,
      request_counts: counts,
      created_at: rfc3339(batch.createdAt),
      expires_at: rfc3339(batch.createdAt + DAY_MS),
      ended_at: batch.endedAt === undefined ? null : rfc3339(batch.endedAt),
      cancel_initiated_at: batch.cancelInitiatedAt === undefined ? null : rfc3339(batch.cancelInitiatedAt),
      archived_at: null,
      results_url: batch.status === "ended" ? `${base()}/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const apiKey = options.apiKey ?? "sk-ant-fake-key";
  return {
    url: base(),
    apiKey,
    env: { ANTHROPIC_BASE_URL: base(), ANTHROPIC_API_KEY: apiKey },
    clock,
    requests,
    answered,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    setResponder(next) {
      responder = next;
    },
    overloadNext(count) {
      overloadPending += count;
    },
    cacheEntries: () => cache.size(clock.now()),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out.padStart(22, "0");
}

/** A small seeded PRNG (mulberry32): the same seed gives the same 529s. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
