import Anthropic, { type APIError } from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock, estimateTokens, scriptedResponder, startFakeAnthropic, type FakeAnthropic, type FakeAnthropicOptions, type Responder } from "../helpers/fake-anthropic.ts";

// The real SDK against the fake on loopback. Time is a manual clock wherever time matters,
// so TTLs, rate-limit refills and batch processing cost no real waiting.
const SONNET = "claude-sonnet-4-6";
const HAIKU = "claude-haiku-4-5";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe("the fake Messages API, driven by the real @anthropic-ai/sdk", () => {
  let fake: FakeAnthropic | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const start = async (options: FakeAnthropicOptions = {}) => {
    fake = await startFakeAnthropic(options);
    return { fake, client: new Anthropic({ baseURL: fake.url, apiKey: fake.apiKey, maxRetries: 0 }) };
  };
  const ask = (text: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}): Anthropic.MessageCreateParamsNonStreaming => ({
    model: SONNET,
    max_tokens: 256,
    messages: [{ role: "user", content: text }],
    ...extra,
  });

  describe("messages", () => {
    it("plays a scripted tool_use turn, then the final text once the tool_result comes back", async () => {
      const { fake, client } = await start({
        responder: scriptedResponder([
          { content: [{ type: "text", text: "Let me look." }, { type: "tool_use", name: "crm__get_account", input: { id: "42" } }] },
          (request) => {
            const result = request.messages.at(-1)!.content as Anthropic.ToolResultBlockParam[];
            return { text: `Account says: ${String(result[0]!.content)}` };
          },
        ]),
      });
      const first = await client.messages.create(ask("Is account 42 active?", { tools: [{ name: "crm__get_account", description: "Reads an account", input_schema: { type: "object", properties: { id: { type: "string" } } } }] })).withResponse();
      expect(first.data).toMatchObject({ type: "message", role: "assistant", model: SONNET, stop_reason: "tool_use", stop_sequence: null });
      expect(first.data.id).toMatch(/^msg_01[0-9A-Za-z]{22}$/);
      expect(first.request_id).toMatch(/^req_01[0-9A-Za-z]{22}$/);
      const toolUse = first.data.content[1] as Anthropic.ToolUseBlock;
      expect(toolUse).toMatchObject({ type: "tool_use", name: "crm__get_account", input: { id: "42" } });
      expect(toolUse.id).toMatch(/^toolu_01/);

      const second = await client.messages.create(
        ask("", {
          tools: [{ name: "crm__get_account", description: "Reads an account", input_schema: { type: "object", properties: { id: { type: "string" } } } }],
          messages: [
            { role: "user", content: "Is account 42 active?" },
            { role: "assistant", content: first.data.content },
            { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: "active" }] },
          ],
        }),
      );
      expect(second.stop_reason).toBe("end_turn");
      expect(second.content).toEqual([{ type: "text", text: "Account says: active", citations: null }]);
      expect(second.usage.output_tokens).toBe(estimateTokens("Account says: active"));
      expect(second.usage.input_tokens).toBeGreaterThan(first.data.usage.input_tokens);
      expect(fake.requests.map((request) => [request.method, request.path, request.status])).toEqual([
        ["POST", "/v1/messages", 200],
        ["POST", "/v1/messages", 200],
      ]);
      expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
      expect(fake.answered.map((answer) => answer.message.id)).toEqual([first.data.id, second.id]);
    });

    it("echoes the last user text by default, found through ANTHROPIC_BASE_URL", async () => {
      const { fake } = await start();
      const saved = { ...process.env };
      Object.assign(process.env, fake.env);
      try {
        const message = await new Anthropic({ maxRetries: 0 }).messages.create(ask("ping"));
        expect(message.content).toEqual([{ type: "text", text: "Echo: ping", citations: null }]);
        expect(message.usage).toEqual({
          input_tokens: estimateTokens("ping"),
          output_tokens: estimateTokens("Echo: ping"),
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
          service_tier: "standard",
          inference_geo: null,
          output_tokens_details: null,
          server_tool_use: null,
          speed: null,
        });
      } finally {
        process.env = saved;
      }
    });

    it("stops at max_tokens and at a stop sequence the way the API reports it", async () => {
      const { client } = await start({ responder: () => ({ text: "one two three STOP four ".repeat(20) }) });
      const cut = await client.messages.create(ask("talk", { max_tokens: 5 }));
      expect(cut.stop_reason).toBe("max_tokens");
      expect(cut.usage.output_tokens).toBe(5);
      const stopped = await client.messages.create(ask("talk", { stop_sequences: ["STOP"] }));
      expect(stopped).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "STOP", content: [{ type: "text", text: "one two three " }] });
    });

    it("answers a responder's error with that status in the error envelope", async () => {
      const { client } = await start({ responder: scriptedResponder([]) });
      const error = await client.messages.create(ask("hi")).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.InternalServerError);
      expect(error).toMatchObject({ status: 500, type: "api_error" });
    });
  });

  describe("request errors", () => {
    it("refuses a request without max_tokens with a 400 invalid_request_error naming the field", async () => {
      const { fake, client } = await start();
      const { max_tokens: _dropped, ...params } = ask("hi");
      const error = await client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect(error).toMatchObject({ status: 400, type: "invalid_request_error", apiMessage: "max_tokens: Field required" });
      expect((error as APIError).error).toEqual({ type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" }, request_id: fake.requests[0]!.requestId });
      expect((error as APIError).requestID).toBe(fake.requests[0]!.requestId);
    });

    it("refuses five cache breakpoints", async () => {
      const { client } = await start();
      const block = (text: string): Anthropic.TextBlockParam => ({ type: "text", text, cache_control: { type: "ephemeral" } });
      const error = await client.messages.create(ask("", { system: [block("a"), block("b"), block("c")], messages: [{ role: "user", content: [block("d"), block("e")] }] })).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 400, type: "invalid_request_error", apiMessage: "A maximum of 4 blocks with cache_control may be provided. Found 5." });
    });

    it("refuses a 1-hour breakpoint after a 5-minute one", async () => {
      const { client } = await start();
      const error = await client.messages.create(ask("", { system: [{ type: "text", text: "a", cache_control: { type: "ephemeral" } }], messages: [{ role: "user", content: [{ type: "text", text: "b", cache_control: { type: "ephemeral", ttl: "1h" } }] }] })).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 400, type: "invalid_request_error" });
      expect((error as APIError).apiMessage).toMatch(/^messages\.0\.content\.0\.cache_control: a 1h cache_control block must not come after a 5m one/);
    });

    it("refuses a tool_result that answers no tool_use of the message before", async () => {
      const { client } = await start();
      const error = await client.messages.create(ask("", { messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01nope", content: "x" }] }] })).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 400, type: "invalid_request_error" });
      expect((error as APIError).apiMessage).toMatch(/toolu_01nope/);
    });

    it("answers 401 to a wrong key and to no key at all", async () => {
      const { fake } = await start({ apiKey: "sk-ant-right" });
      const wrong = await new Anthropic({ baseURL: fake.url, apiKey: "sk-ant-wrong", maxRetries: 0 }).messages.create(ask("hi")).catch((caught: unknown) => caught);
      expect(wrong).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(wrong).toMatchObject({ type: "authentication_error", apiMessage: "invalid x-api-key" });
      const none = await fetch(`${fake.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" }, body: JSON.stringify(ask("hi")) });
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({ type: "error", error: { type: "authentication_error", message: "x-api-key header is required" }, request_id: none.headers.get("request-id") });
    });
  });

  describe("prompt caching", () => {
    const system = (chars: number, ttl?: "5m" | "1h"): Anthropic.TextBlockParam[] => [{ type: "text", text: "s".repeat(chars), cache_control: { type: "ephemeral", ...(ttl === undefined ? {} : { ttl }) } }];

    it("writes a prefix on the first call and reads it on the next one with the same prefix", async () => {
      const { client } = await start({ clock: createManualClock() });
      const first = await client.messages.create(ask("first question", { system: system(5000) }));
      expect(first.usage).toMatchObject({ cache_creation_input_tokens: 1250, cache_read_input_tokens: 0, input_tokens: estimateTokens("first question"), cache_creation: { ephemeral_5m_input_tokens: 1250, ephemeral_1h_input_tokens: 0 } });
      const second = await client.messages.create(ask("another question", { system: system(5000) }));
      expect(second.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 1250, input_tokens: estimateTokens("another question") });
    });

    it("does not cache a prefix under the model's minimum, silently", async () => {
      const { client } = await start({ clock: createManualClock() });
      const short = ask("q", { system: system(4000) }); // 1,000 tokens: under Sonnet's 1,024
      for (const message of [await client.messages.create(short), await client.messages.create(short)]) {
        expect(message.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0, input_tokens: 1000 + estimateTokens("q") });
      }
      const haiku = ask("q", { model: HAIKU, system: system(5000) }); // 1,250 tokens: under Haiku's 2,048
      expect((await client.messages.create(haiku)).usage).toMatchObject({ cache_creation_input_tokens: 0, input_tokens: 1250 + estimateTokens("q") });
      expect((await client.messages.create(haiku)).usage.cache_read_input_tokens).toBe(0);
    });

    it("expires a 5-minute entry after five minutes on the clock, a 1-hour one after an hour", async () => {
      const clock = createManualClock();
      const { client } = await start({ clock });
      await client.messages.create(ask("q", { system: system(5000) }));
      clock.advance(4 * 60_000);
      expect((await client.messages.create(ask("q", { system: system(5000) }))).usage.cache_read_input_tokens).toBe(1250);
      clock.advance(4 * 60_000); // the read renewed the entry: 4 minutes since then
      expect((await client.messages.create(ask("q", { system: system(5000) }))).usage.cache_read_input_tokens).toBe(1250);
      clock.advance(5 * 60_000 + 1);
      expect((await client.messages.create(ask("q", { system: system(5000) }))).usage).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: 1250 });

      const long = await client.messages.create(ask("q", { system: system(8000, "1h") }));
      expect(long.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2000 });
      clock.advance(59 * 60_000);
      expect((await client.messages.create(ask("q", { system: system(8000, "1h") }))).usage.cache_read_input_tokens).toBe(2000);
    });

    it("reads the longest written prefix and writes the rest up to the last breakpoint, tools first", async () => {
      const { client } = await start({ clock: createManualClock() });
      const tools: Anthropic.Tool[] = [{ name: "lookup", description: "d".repeat(6000), input_schema: { type: "object" }, cache_control: { type: "ephemeral" } }];
      const toolTokens = estimateTokens(JSON.stringify({ name: "lookup", description: "d".repeat(6000), input_schema: { type: "object" } }));
      const first = await client.messages.create(ask("q", { tools }));
      expect(first.usage).toMatchObject({ cache_creation_input_tokens: toolTokens, cache_read_input_tokens: 0 });
      const document: Anthropic.TextBlockParam = { type: "text", text: "d".repeat(2000), cache_control: { type: "ephemeral" } };
      const second = await client.messages.create(ask("", { tools, messages: [{ role: "user", content: [document, { type: "text", text: "question" }] }] }));
      expect(second.usage).toMatchObject({ cache_read_input_tokens: toolTokens, cache_creation_input_tokens: 500, input_tokens: estimateTokens("question") });
      const changedTools = await client.messages.create(ask("", { tools: [{ ...tools[0]!, description: "e".repeat(6000) }], messages: [{ role: "user", content: [document, { type: "text", text: "question" }] }] }));
      expect(changedTools.usage).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: toolTokens + 500 });
    });

    it("finds an earlier prefix up to 20 blocks back from a breakpoint that moved down the conversation, and no further", async () => {
      const { client } = await start({ clock: createManualClock() });
      const doc = "d".repeat(5000);
      await client.messages.create(ask("", { messages: [{ role: "user", content: [{ type: "text", text: doc, cache_control: { type: "ephemeral" } }] }] }));
      const next = await client.messages.create(
        ask("", {
          messages: [
            { role: "user", content: [{ type: "text", text: doc }] },
            { role: "assistant", content: "ok" },
            { role: "user", content: [{ type: "text", text: "more", cache_control: { type: "ephemeral" } }] },
          ],
        }),
      );
      expect(next.usage).toMatchObject({ cache_read_input_tokens: 1250, cache_creation_input_tokens: estimateTokens("ok") + estimateTokens("more"), input_tokens: 0 });
      const filler = Array.from({ length: 21 }, (_, i): Anthropic.TextBlockParam => ({ type: "text", text: `filler ${i}` }));
      const far = await client.messages.create(ask("", { messages: [{ role: "user", content: [{ type: "text", text: doc }, ...filler.slice(0, -1), { ...filler.at(-1)!, cache_control: { type: "ephemeral" } }] }] }));
      expect(far.usage.cache_read_input_tokens).toBe(0);
    });

    it("lets requests sent together all write, since an entry is visible only once its response is sent", async () => {
      let release!: () => void;
      const bothArrived = new Promise<void>((resolve) => (release = resolve));
      const { client } = await start({
        clock: createManualClock(),
        responder: async (_request, context) => {
          if (context.index === 1) release();
          await bothArrived;
          return { text: "ok" };
        },
      });
      const [a, b] = await Promise.all([client.messages.create(ask("q", { system: system(5000) })), client.messages.create(ask("q", { system: system(5000) }))]);
      expect([a.usage.cache_creation_input_tokens, b.usage.cache_creation_input_tokens]).toEqual([1250, 1250]);
      expect((await client.messages.create(ask("q", { system: system(5000) }))).usage.cache_read_input_tokens).toBe(1250);
    });
  });

  describe("rate limits", () => {
    it("sends the anthropic-ratelimit headers on every response, counting down", async () => {
      const { client } = await start({ clock: createManualClock() });
      const seen = [];
      for (const text of ["a".repeat(400), "b".repeat(800), "c".repeat(40)]) {
        const { response, data } = await client.messages.create(ask(text, { max_tokens: 100 })).withResponse();
        seen.push({ headers: response.headers, usage: data.usage });
      }
      const number = (headers: Headers, name: string) => Number(headers.get(`anthropic-ratelimit-${name}`));
      expect(seen.map(({ headers }) => number(headers, "requests-remaining"))).toEqual([3999, 3998, 3997]);
      expect(seen.map(({ headers }) => number(headers, "input-tokens-remaining"))).toEqual([2_000_000 - 100, 2_000_000 - 300, 2_000_000 - 310]);
      const outputUsed = seen.map(({ usage }) => usage.output_tokens);
      expect(number(seen[2]!.headers, "output-tokens-remaining")).toBe(400_000 - outputUsed.reduce((sum, n) => sum + n, 0));
      for (const { headers } of seen) {
        expect(number(headers, "requests-limit")).toBe(4000);
        expect(number(headers, "input-tokens-limit")).toBe(2_000_000);
        expect(number(headers, "output-tokens-limit")).toBe(400_000);
        for (const family of ["requests", "input-tokens", "output-tokens", "tokens"]) expect(headers.get(`anthropic-ratelimit-${family}-reset`)).toMatch(RFC3339);
        expect(headers.get("anthropic-ratelimit-tokens-remaining")).not.toBeNull();
      }
    });

    it("answers 429 with retry-after once the requests per minute are spent, and the SDK's retry then succeeds", async () => {
      const clock = createManualClock(undefined, { skipWaits: true });
      const { fake } = await start({ clock, rateLimits: { requestsPerMinute: 2 } });
      const client = new Anthropic({ baseURL: fake.url, apiKey: fake.apiKey, maxRetries: 2 });
      await client.messages.create(ask("1"));
      await client.messages.create(ask("2"));
      const third = await client.messages.create(ask("3"));
      expect(third.content).toEqual([{ type: "text", text: "Echo: 3", citations: null }]);
      expect(fake.requests.map((request) => request.status)).toEqual([200, 200, 429, 200]);
      const limited = fake.requests[2]!.responseHeaders!;
      expect(limited["retry-after"]).toBe("30");
      expect(limited["anthropic-ratelimit-requests-remaining"]).toBe("0");
      expect(fake.requests[3]!.headers["x-stainless-retry-count"]).toBe("1");
    });

    it("counts input tokens per minute and reports the limit that was hit", async () => {
      const { client, fake } = await start({ clock: createManualClock(), rateLimits: { inputTokensPerMinute: 1000 } });
      await client.messages.create(ask("x".repeat(3200)));
      const error = await client.messages.create(ask("x".repeat(3200))).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      expect(error).toMatchObject({ status: 429, type: "rate_limit_error" });
      expect((error as APIError).apiMessage).toMatch(/1000 input tokens per minute/);
      // 800 tokens wanted, 200 left, refilled at 1000 a minute: 36 s.
      expect(fake.requests[1]!.responseHeaders!["retry-after"]).toBe("36");
    });

    it("gives count_tokens its own requests-per-minute limit", async () => {
      const { client } = await start({ clock: createManualClock(), rateLimits: { countTokensRequestsPerMinute: 1 } });
      const params = { model: SONNET, system: "You are terse.", messages: [{ role: "user" as const, content: "How many?" }], tools: [{ name: "t", input_schema: { type: "object" as const } }] };
      const counted = await client.messages.countTokens(params);
      expect(counted).toEqual({ input_tokens: estimateTokens(JSON.stringify(params.tools[0])) + estimateTokens("You are terse.") + estimateTokens("How many?") });
      await expect(client.messages.countTokens(params)).rejects.toBeInstanceOf(Anthropic.RateLimitError);
      await expect(client.messages.create(ask("still fine"))).resolves.toMatchObject({ type: "message" });
    });
  });

  describe("overload and concurrency", () => {
    it("answers 529 overloaded_error to the next N requests when told to", async () => {
      const { fake, client } = await start({ overload: { next: 1 } });
      const error = await client.messages.create(ask("hi")).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.OverloadedError);
      expect(error).toMatchObject({ status: 529, type: "overloaded_error" });
      await expect(client.messages.create(ask("hi"))).resolves.toMatchObject({ type: "message" });
      fake.overloadNext(2);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await client.messages.create(ask("hi")).then(() => 200, (caught: APIError) => caught.status));
      expect(statuses).toEqual([529, 529, 200]);
    });

    it("overloads the same requests for the same seed", async () => {
      const pattern = async (seed: number) => {
        const { client } = await start({ overload: { probability: 0.5, seed } });
        const statuses = [];
        for (let i = 0; i < 16; i++) statuses.push(await client.messages.create(ask("hi")).then(() => 200, (caught: APIError) => caught.status));
        await fake!.close();
        fake = undefined;
        return statuses;
      };
      const first = await pattern(7);
      expect(await pattern(7)).toEqual(first);
      expect(first).toContain(529);
      expect(first).toContain(200);
    });

    it("records the most requests in flight at once", async () => {
      let release!: () => void;
      const allArrived = new Promise<void>((resolve) => (release = resolve));
      const responder: Responder = async (_request, context) => {
        if (context.index === 4) release();
        await allArrived;
        return { text: "done" };
      };
      const { fake, client } = await start({ responder, latencyMs: 5 });
      await Promise.all(Array.from({ length: 5 }, (_, i) => client.messages.create(ask(String(i)))));
      expect(fake.maxInFlight).toBe(5);
      expect(fake.inFlight).toBe(0);
    });
  });

  describe("message batches", () => {
    it("ends a batch after its processing time, and the SDK reads the JSONL results", async () => {
      const clock = createManualClock();
      const { fake, client } = await start({ clock, batchProcessingMs: 10 * 60_000, responder: (request, context) => ({ text: `batch ${context.batch?.customId}: ${String(request.messages[0]!.content)}` }) });
      const created = await client.messages.batches.create({
        requests: [
          { custom_id: "case-1", params: ask("first") },
          { custom_id: "case-2", params: { model: SONNET, messages: [{ role: "user", content: "no max_tokens" }] } as unknown as Anthropic.MessageCreateParamsNonStreaming },
        ],
      });
      expect(created).toMatchObject({ type: "message_batch", processing_status: "in_progress", results_url: null, ended_at: null, request_counts: { processing: 2, succeeded: 0 } });
      expect(created.id).toMatch(/^msgbatch_01/);
      expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(24 * 60 * 60_000);

      clock.advance(9 * 60_000);
      expect((await client.messages.batches.retrieve(created.id)).processing_status).toBe("in_progress");
      clock.advance(60_000);
      const ended = await client.messages.batches.retrieve(created.id);
      expect(ended).toMatchObject({ processing_status: "ended", request_counts: { processing: 0, succeeded: 1, errored: 1 }, results_url: `${fake.url}/v1/messages/batches/${created.id}/results` });
      expect(ended.ended_at).toMatch(RFC3339);

      const lines = [];
      for await (const line of await client.messages.batches.results(created.id)) lines.push(line);
      expect(lines.map((line) => [line.custom_id, line.result.type])).toEqual([["case-1", "succeeded"], ["case-2", "errored"]]);
      const succeeded = lines[0]!.result as Anthropic.Messages.MessageBatchSucceededResult;
      expect(succeeded.message.content).toEqual([{ type: "text", text: "batch case-1: first", citations: null }]);
      expect(succeeded.message.usage).toMatchObject({ input_tokens: estimateTokens("first"), service_tier: "batch" });
      expect((lines[1]!.result as Anthropic.Messages.MessageBatchErroredResult).error.error).toEqual({ type: "invalid_request_error", message: "max_tokens: Field required" });
      expect(fake.answered.map((answer) => answer.batch)).toEqual([{ id: created.id, customId: "case-1" }]);
      const listed = [];
      for await (const batch of client.messages.batches.list()) listed.push([batch.id, batch.processing_status]);
      expect(listed).toEqual([[created.id, "ended"]]);
    });

    it("refuses a batch whose custom_ids repeat", async () => {
      const { client } = await start();
      const error = await client.messages.batches.create({ requests: [{ custom_id: "same", params: ask("a") }, { custom_id: "same", params: ask("b") }] }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 400, type: "invalid_request_error" });
      expect((error as APIError).apiMessage).toMatch(/requests\.1\.custom_id/);
    });

    it("ends a canceled batch with canceled results", async () => {
      const { client } = await start({ clock: createManualClock(), batchProcessingMs: 60 * 60_000 });
      const created = await client.messages.batches.create({ requests: [{ custom_id: "only", params: ask("a") }] });
      expect((await client.messages.batches.cancel(created.id)).processing_status).toBe("canceling");
      const ended = await client.messages.batches.retrieve(created.id);
      expect(ended).toMatchObject({ processing_status: "ended", request_counts: { canceled: 1 } });
      const lines = [];
      for await (const line of await client.messages.batches.results(created.id)) lines.push(line);
      expect(lines).toEqual([{ custom_id: "only", result: { type: "canceled" } }]);
    });
  });
});
