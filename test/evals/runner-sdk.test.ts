import { afterEach, describe, expect, it, vi } from "vitest";
import { buildWarmupRequest } from "../../app/core/evals/build-request.ts";
import { createSdkClient } from "../../app/evals/anthropic-client.ts";
import { createBuiltinRunner } from "../../app/evals/builtin-runner.ts";
import { transcriptSchema } from "../../schemas/transcript.schema.ts";
import { sampleAgent, sampleCase } from "../helpers/assembled-agent.ts";
import { scriptedResponder, startFakeAnthropic, textOf, type FakeAnthropic } from "../helpers/fake-anthropic.ts";

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const agent = sampleAgent();
const refundCase = sampleCase({
  id: "refund-950",
  input: "Refund order 950, please.",
  mocks: { "crm.refund": [{ when: { order: 950 }, returns: { refunded: true, amount: 950 } }] },
});

/** A model that asks for the refund, then reports what the tool said. */
const refundScript = scriptedResponder([
  { content: [{ type: "text", text: "Refunding." }, { type: "tool_use", name: "crm__refund", input: { order: 950 } }] },
  (request) => ({ text: `Done: ${textOf(request.messages.at(-1)!.content)}` }),
]);

describe("the builtin runner through the Anthropic SDK", () => {
  it("runs the tool-use loop against the Messages API and records what it answered", async () => {
    fake = await startFakeAnthropic({ responder: refundScript });
    const client = createSdkClient({ apiKey: fake.apiKey, baseURL: fake.url });
    const transcript = await createBuiltinRunner({ client }).run(agent, { case: refundCase, trial: 1 });

    expect(transcriptSchema.parse(transcript)).toEqual(transcript);
    expect(transcript).toMatchObject({ stop: "end", output: 'Done: {"refunded":true,"amount":950}' });
    expect(transcript.toolCalls).toEqual([{ server: "crm", tool: "refund", input: { order: 950 }, output: { refunded: true, amount: 950 }, isError: false, durationMs: expect.any(Number), source: "mock" }]);
    expect(transcript.modelCalls.map((call) => [call.stopReason, call.requestId])).toEqual(fake.answered.map((answer) => [answer.message.stop_reason, answer.requestId]));
    expect(transcript.modelCalls.map((call) => call.usage)).toEqual(
      fake.answered.map(({ message: { usage } }) => ({
        inputTokens: usage.input_tokens,
        outputTokens: usage.output_tokens,
        cacheCreationInputTokens: usage.cache_creation_input_tokens ?? 0,
        cacheReadInputTokens: usage.cache_read_input_tokens ?? 0,
      })),
    );
    // What went over the wire: server__tool names, one cache mark, the tool result in the second request.
    const [first, second] = fake.answered.map((answer) => answer.params);
    expect(first!.tools!.map((tool) => ("name" in tool ? tool.name : ""))).toContain("crm__refund");
    expect(JSON.stringify(first).match(/"cache_control"/g)).toHaveLength(1);
    expect(second!.messages.at(-1)).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: expect.stringMatching(/^toolu_/), content: '{"refunded":true,"amount":950}' }] });
  });

  it("writes the prefix to the cache once with the warm-up, and every trial reads it", async () => {
    fake = await startFakeAnthropic({ responder: () => ({ text: "ok" }), minCacheableTokens: () => 1 });
    const client = createSdkClient({ apiKey: fake.apiKey, baseURL: fake.url });
    const warm = await client.create(buildWarmupRequest(agent));
    expect(warm.message.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    const runner = createBuiltinRunner({ client });
    const transcripts = await Promise.all([1, 2, 3].map((trial) => runner.run(agent, { case: sampleCase({ input: `question ${trial}` }), trial })));
    for (const transcript of transcripts) {
      expect(transcript.modelCalls[0]!.usage).toMatchObject({ cacheCreationInputTokens: 0, cacheReadInputTokens: warm.message.usage.cache_creation_input_tokens });
    }
  });

  it("retries an overloaded API through the SDK, and fails the trial once retries run out", async () => {
    fake = await startFakeAnthropic({ responder: () => ({ text: "fine" }), retryAfterMs: true });
    fake.overloadNext(1);
    const patient = await createBuiltinRunner({ client: createSdkClient({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 2 }) }).run(agent, { case: sampleCase(), trial: 1 });
    expect(patient).toMatchObject({ stop: "end", output: "fine" });

    fake.overloadNext(5);
    const impatient = await createBuiltinRunner({ client: createSdkClient({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 1 }) }).run(agent, { case: sampleCase(), trial: 1 });
    expect(impatient).toMatchObject({ stop: "error", modelCalls: [] });
    expect(impatient.error).toMatch(/^529 .*overloaded/);
  });

  it("fails the trial on an API error mid-conversation, keeping the calls made before it", async () => {
    fake = await startFakeAnthropic({
      responder: scriptedResponder([
        { content: [{ type: "tool_use", name: "crm__refund", input: { order: 950 } }] },
        () => ({ error: { status: 400, type: "invalid_request_error", message: "messages: tool_result block is malformed" } }),
      ]),
    });
    const transcript = await createBuiltinRunner({ client: createSdkClient({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 }) }).run(agent, { case: refundCase, trial: 1 });
    expect(transcript).toMatchObject({ stop: "error" });
    expect(transcript.error).toMatch(/^400 .*tool_result block is malformed/);
    expect(transcript.modelCalls).toHaveLength(1);
    expect(transcript.toolCalls).toHaveLength(1);
  });

  it("stops a trial whose signal aborts while the request is in flight", async () => {
    fake = await startFakeAnthropic({ responder: () => ({ text: "late" }), latencyMs: 60_000 });
    const controller = new AbortController();
    const running = createBuiltinRunner({ client: createSdkClient({ apiKey: fake.apiKey, baseURL: fake.url }) }).run(agent, { case: sampleCase(), trial: 1 }, controller.signal);
    await vi.waitFor(() => expect(fake!.inFlight).toBe(1));
    controller.abort(new Error("the gate was cancelled"));
    expect(await running).toMatchObject({ stop: "error", error: "the trial was stopped: the gate was cancelled", modelCalls: [] });
  });

  it("counts tokens through the SDK", async () => {
    fake = await startFakeAnthropic();
    const client = createSdkClient({ apiKey: fake.apiKey, baseURL: fake.url });
    const { max_tokens: _max, ...params } = buildWarmupRequest(agent);
    expect(await client.countTokens(params)).toBeGreaterThan(0);
  });
});
