import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { agentManifestSchema } from "../../schemas/agent.schema.ts";
import { transcriptSchema } from "../../schemas/transcript.schema.ts";
import { createBuiltinRunner } from "../../app/evals/builtin-runner.ts";
import type { LiveTools } from "../../app/evals/live-tools.ts";
import { assembleInput, sampleAgent, sampleCase } from "../helpers/assembled-agent.ts";
import { scriptedClient, toolResults } from "../helpers/scripted-client.ts";

/** A clock that moves 5 ms each time it is read. */
function steppingClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return () => (now += 5);
}

const agent = sampleAgent();

describe("the builtin runner, in process", () => {
  it("answers tool calls from mocks and records every model and tool call", async () => {
    const client = scriptedClient((params, index) =>
      index === 0
        ? { text: "Checking.", tools: [{ name: "crm__get_account", input: { account_id: "A-1" }, id: "a" }, { name: "crm__refund", input: { amount: 950 }, id: "b" }], usage: { cache_creation_input_tokens: 900 } }
        : { text: `Refund: ${toolResults(params)["b"]!.text}`, usage: { cache_read_input_tokens: 900 } },
    );
    const kase = sampleCase({
      mocks: {
        "crm.get_account": [{ when: { account_id: "A-1" }, returns: { id: "A-1", plan: "team" } }],
        "crm.refund": [{ when: { amount: 950 }, error: "over the refund limit" }],
      },
    });
    const transcript = await createBuiltinRunner({ client, clock: steppingClock() }).run(agent, { case: kase, trial: 1 });
    expect(transcriptSchema.parse(transcript)).toEqual(transcript);
    expect(transcript).toMatchObject({ stop: "end", output: "Refund: over the refund limit", skillsLoaded: ["escalation-rules", "tone-guide"] });
    expect(transcript.modelCalls).toEqual([
      {
        model: "claude-sonnet-5-5",
        startedAt: expect.stringMatching(/^2026-01-01T00:00:00\.\d{3}Z$/),
        latencyMs: 7,
        stopReason: "tool_use",
        usage: { inputTokens: 10, outputTokens: 5, cacheCreationInputTokens: 900, cacheReadInputTokens: 0 },
        requestId: "req_0",
      },
      expect.objectContaining({ stopReason: "end_turn", usage: { inputTokens: 10, outputTokens: 5, cacheCreationInputTokens: 0, cacheReadInputTokens: 900 }, requestId: "req_1" }),
    ]);
    expect(transcript.toolCalls).toEqual([
      { server: "crm", tool: "get_account", input: { account_id: "A-1" }, output: { id: "A-1", plan: "team" }, isError: false, durationMs: 5, source: "mock" },
      { server: "crm", tool: "refund", input: { amount: 950 }, output: "over the refund limit", isError: true, durationMs: 5, source: "mock" },
    ]);
    // The second request repeats the conversation: the case, the assistant's turn, the tool results.
    const second = client.requests[1]!;
    expect(second.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(toolResults(second)).toEqual({ a: { text: '{"id":"A-1","plan":"team"}', isError: false }, b: { text: "over the refund limit", isError: true } });
    expect(JSON.stringify({ tools: second.tools, system: second.system })).toBe(JSON.stringify({ tools: client.requests[0]!.tools, system: client.requests[0]!.system }));
  });

  it("tells the model when no mock answers and there is no live server, and goes on", async () => {
    const client = scriptedClient((params, index) =>
      index === 0 ? { tools: [{ name: "crm__refund", input: { amount: 1 }, id: "r" }, { name: "ticketing__get_ticket", input: { ticket_id: 2 }, id: "t" }] } : { text: JSON.stringify(toolResults(params)) },
    );
    const kase = sampleCase({ id: "refund-1", mocks: { "ticketing.get_ticket": [{ when: { ticket_id: 1 }, returns: "one" }] } });
    const transcript = await createBuiltinRunner({ client }).run(agent, { case: kase, trial: 1 });
    expect(JSON.parse(transcript.output)).toEqual({
      r: { text: "no mock for crm.refund in case refund-1, and no live server", isError: true },
      t: { text: "no mock rule for ticketing.get_ticket matches this input in case refund-1, and no live server", isError: true },
    });
    expect(transcript.toolCalls.map((call) => [call.isError, call.source])).toEqual([[true, undefined], [true, undefined]]);
  });

  it("asks the live server only for tools no mock answers", async () => {
    const asked: string[] = [];
    const live: LiveTools = {
      has: (server) => server === "crm",
      call: async (server, tool, input) => {
        asked.push(`${server}.${tool} ${JSON.stringify(input)}`);
        return { output: "live answer", isError: false };
      },
    };
    const client = scriptedClient((_params, index) =>
      index === 0 ? { tools: [{ name: "crm__refund", input: { amount: 1 } }, { name: "crm__get_account", input: {} }, { name: "ticketing__search_tickets", input: {} }] } : { text: "ok" },
    );
    const kase = sampleCase({ mocks: { "crm.get_account": [{ returns: "mocked" }] } });
    const transcript = await createBuiltinRunner({ client, live }).run(agent, { case: kase, trial: 1 });
    expect(asked).toEqual(['crm.refund {"amount":1}']);
    expect(transcript.toolCalls.map((call) => call.source)).toEqual(["live", "mock", undefined]);
  });

  it("stops after maxTurns model calls with the last text as output", async () => {
    const client = scriptedClient((_params, index) => ({ text: index === 1 ? "second thoughts" : undefined, tools: [{ name: "crm__get_account", input: {} }] }));
    const kase = sampleCase({ mocks: { "crm.get_account": [{ returns: "x" }] } });
    const transcript = await createBuiltinRunner({ client }).run(agent, { case: kase, trial: 1 });
    expect(client.requests).toHaveLength(4);
    expect(transcript).toMatchObject({ stop: "max-turns", output: "second thoughts" });
    expect(transcript.toolCalls).toHaveLength(4);
  });

  it("ends with an error transcript when the client throws, keeping what was recorded", async () => {
    const client = scriptedClient((_params, index) => (index === 0 ? { tools: [{ name: "crm__get_account", input: {} }] } : new Error("529 overloaded after 4 retries")));
    const transcript = await createBuiltinRunner({ client }).run(agent, { case: sampleCase({ mocks: { "crm.get_account": [{ returns: "x" }] } }), trial: 1 });
    expect(transcript).toMatchObject({ stop: "error", error: "529 overloaded after 4 retries" });
    expect(transcript.modelCalls).toHaveLength(1);
    expect(transcript.toolCalls).toHaveLength(1);
  });

  it.each([
    ["a timeout", () => AbortSignal.abort(new DOMException("too slow", "TimeoutError")), { stop: "timeout", error: "the trial ran out of time" }],
    ["a cancel", () => AbortSignal.abort(new Error("the run was cancelled")), { stop: "error", error: "the trial was stopped: the run was cancelled" }],
  ])("stops at once on %s", async (_what, signal, expected) => {
    const client = scriptedClient(() => ({ text: "never" }));
    const transcript = await createBuiltinRunner({ client }).run(agent, { case: sampleCase(), trial: 1 }, signal());
    expect(transcript).toMatchObject(expected);
    expect(client.requests).toHaveLength(0);
  });

  it("stops when the signal aborts during a model call", async () => {
    const controller = new AbortController();
    const client = {
      ...scriptedClient(() => ({ text: "unused" })),
      create: (_params: unknown, signal?: AbortSignal) =>
        new Promise<never>((_resolve, reject) => {
          signal?.addEventListener("abort", () => reject(new Error("Request was aborted.")));
          controller.abort(new DOMException("too slow", "TimeoutError"));
        }),
    };
    const transcript = await createBuiltinRunner({ client }).run(agent, { case: sampleCase(), trial: 1 }, controller.signal);
    expect(transcript).toMatchObject({ stop: "timeout", error: "the trial ran out of time", modelCalls: [] });
  });

  it("traces the trial, each model call and each tool call", async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("test");
    const client = scriptedClient((_params, index) => (index === 0 ? { tools: [{ name: "crm__get_account", input: {}, id: "g" }] } : { text: "ok" }));
    await createBuiltinRunner({ client, tracer }).run(agent, { case: sampleCase({ mocks: { "crm.get_account": [{ returns: "x" }] } }), trial: 3 });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(["chat claude-sonnet-5-5", "execute_tool crm.get_account", "chat claude-sonnet-5-5", "invoke_agent support-bot"]);
    expect(spans[1]!.attributes).toMatchObject({ "gen_ai.tool.call.id": "g", "blastgate.tool.source": "mock" });
    expect(spans[0]!.attributes).toMatchObject({ "gen_ai.response.id": "msg_0", "anthropic.request_id": "req_0" });
    expect(spans[3]!.attributes).toMatchObject({ "blastgate.trial": 3, "blastgate.stop": "end" });
  });

  it("refuses an agent that runs its own command", async () => {
    const manifest = agentManifestSchema.parse({ ...assembleInput().agent.manifest, evals: { runner: { type: "command", command: ["node", "agent.js"] } } });
    const commandAgent = sampleAgent({ agent: { ...assembleInput().agent, manifest } });
    const transcript = await createBuiltinRunner({ client: scriptedClient(() => ({ text: "x" })) }).run(commandAgent, { case: sampleCase(), trial: 1 });
    expect(transcript).toMatchObject({ stop: "error", error: "support-bot runs with its own command (evals.runner.type: command), not the builtin runner" });
  });
});
