import { context, ROOT_CONTEXT, trace, type Context, type ContextManager } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import * as semconv from "@opentelemetry/semantic-conventions/incubating";
import { describe, expect, it } from "vitest";
import type Anthropic from "@anthropic-ai/sdk";
import { GEN_AI, recordTranscriptSpans, startTrialSpans } from "../../app/evals/spans.ts";
import type { Transcript } from "../../schemas/transcript.schema.ts";
import { sampleAgent, sampleCase } from "../helpers/assembled-agent.ts";

const message = {
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-5-5-20260101",
  content: [{ type: "text", text: "done", citations: null }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 },
} as unknown as Anthropic.Message;

const transcript: Transcript = { schemaVersion: 1, output: "done", modelCalls: [], toolCalls: [], skillsLoaded: [], latencyMs: 10, stop: "end" };

/** The simplest context manager: the active context is the innermost `with` running synchronously. */
class StackContext implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  active() {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const before = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = before;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable() {
    return this;
  }
  disable() {
    this.current = ROOT_CONTEXT;
    return this;
  }
}

function collect(): { exporter: InMemorySpanExporter; provider: BasicTracerProvider } {
  const exporter = new InMemorySpanExporter();
  return { exporter, provider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) };
}

const byName = (spans: readonly ReadableSpan[], name: string) => spans.find((span) => span.name === name)!;

describe("trial spans", () => {
  it("names attributes as the GenAI semantic conventions do", () => {
    expect(GEN_AI).toEqual({
      operationName: semconv.ATTR_GEN_AI_OPERATION_NAME,
      providerName: semconv.ATTR_GEN_AI_PROVIDER_NAME,
      agentName: semconv.ATTR_GEN_AI_AGENT_NAME,
      agentId: semconv.ATTR_GEN_AI_AGENT_ID,
      requestModel: semconv.ATTR_GEN_AI_REQUEST_MODEL,
      requestMaxTokens: semconv.ATTR_GEN_AI_REQUEST_MAX_TOKENS,
      responseModel: semconv.ATTR_GEN_AI_RESPONSE_MODEL,
      responseId: semconv.ATTR_GEN_AI_RESPONSE_ID,
      responseFinishReasons: semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
      usageInputTokens: semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
      usageOutputTokens: semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
      usageCacheCreationInputTokens: semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
      usageCacheReadInputTokens: semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
      toolName: semconv.ATTR_GEN_AI_TOOL_NAME,
      toolCallId: semconv.ATTR_GEN_AI_TOOL_CALL_ID,
      toolType: semconv.ATTR_GEN_AI_TOOL_TYPE,
      errorType: semconv.ATTR_ERROR_TYPE,
    });
    expect(semconv.GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC).toBe("anthropic");
    expect([semconv.GEN_AI_OPERATION_NAME_VALUE_CHAT, semconv.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL, semconv.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT]).toEqual(["chat", "execute_tool", "invoke_agent"]);
  });

  it("records model and tool calls under one invoke_agent span per trial", () => {
    const { exporter, provider } = collect();
    const spans = startTrialSpans(sampleAgent(), { case: sampleCase(), trial: 2 }, provider.getTracer("test"));
    spans.chat("claude-sonnet-5-5", 4096).end(message, "req_1");
    spans.tool("crm.refund", "toolu_1", "crm").end({ isError: true, source: "mock" });
    spans.chat("claude-sonnet-5-5", 4096).fail(new TypeError("socket hang up"));
    spans.end({ ...transcript, stop: "error", error: "socket hang up" });

    const finished = exporter.getFinishedSpans();
    expect(finished.map((span) => span.name).sort()).toEqual(["chat claude-sonnet-5-5", "chat claude-sonnet-5-5", "execute_tool crm.refund", "invoke_agent support-bot"]);
    const root = byName(finished, "invoke_agent support-bot");
    for (const span of finished.filter((span) => span !== root)) {
      expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(root.spanContext().traceId);
    }
    expect(root.attributes).toMatchObject({ "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support-bot", "blastgate.case.id": "case-1", "blastgate.trial": 2, "blastgate.stop": "error", "error.type": "error" });
    expect(root.status).toEqual({ code: 2, message: "socket hang up" });

    const [answered, failed] = finished.filter((span) => span.name.startsWith("chat"));
    expect(answered!.kind).toBe(2); // CLIENT
    expect(answered!.attributes).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-sonnet-5-5",
      "gen_ai.request.max_tokens": 4096,
      "gen_ai.response.model": "claude-sonnet-5-5-20260101",
      "gen_ai.response.id": "msg_1",
      "gen_ai.response.finish_reasons": ["end_turn"],
      "gen_ai.usage.input_tokens": 1110,
      "gen_ai.usage.output_tokens": 5,
      "gen_ai.usage.cache_creation.input_tokens": 100,
      "gen_ai.usage.cache_read.input_tokens": 1000,
      "anthropic.request_id": "req_1",
    });
    expect(failed!.attributes["error.type"]).toBe("TypeError");
    expect(failed!.status.code).toBe(2);

    const tool = byName(finished, "execute_tool crm.refund");
    expect(tool.attributes).toEqual({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "crm.refund",
      "gen_ai.tool.call.id": "toolu_1",
      "gen_ai.tool.type": "function",
      "blastgate.tool.server": "crm",
      "blastgate.tool.source": "mock",
      "error.type": "tool_error",
    });
  });

  it("makes the chat span the parent of spans the client starts while sending", async () => {
    const { exporter, provider } = collect();
    const tracer = provider.getTracer("test");
    expect(context.setGlobalContextManager(new StackContext())).toBe(true);
    try {
      const spans = startTrialSpans(sampleAgent(), { case: sampleCase(), trial: 1 }, tracer);
      const chat = spans.chat("claude-sonnet-5-5", 10);
      // As the SDK does: its call span starts in the active context, synchronously.
      await chat.within(async () => tracer.startSpan("anthropic.messages.create").end());
      chat.end(message);
      spans.end(transcript);
    } finally {
      context.disable();
    }
    const finished = exporter.getFinishedSpans();
    expect(byName(finished, "anthropic.messages.create").parentSpanContext?.spanId).toBe(byName(finished, "chat claude-sonnet-5-5").spanContext().spanId);
  });

  it("records a transcript another process wrote, with its timings", () => {
    const { exporter, provider } = collect();
    recordTranscriptSpans(
      sampleAgent(),
      { case: sampleCase(), trial: 1 },
      {
        ...transcript,
        latencyMs: 900,
        modelCalls: [{ model: "claude-sonnet-5-5", latencyMs: 300, stopReason: "tool_use", usage: { inputTokens: 1, outputTokens: 2, cacheCreationInputTokens: 3, cacheReadInputTokens: 4 } }],
        toolCalls: [{ server: "crm", tool: "refund", input: {}, output: "ok", isError: false, durationMs: 50 }],
      },
      1_000_000,
      provider.getTracer("test"),
    );
    const finished = exporter.getFinishedSpans();
    const chat = byName(finished, "chat claude-sonnet-5-5");
    expect(chat.attributes["gen_ai.usage.input_tokens"]).toBe(8);
    expect(chat.startTime).toEqual([1000, 0]);
    expect(chat.endTime).toEqual([1000, 300_000_000]);
    expect(byName(finished, "invoke_agent support-bot").endTime).toEqual([1000, 900_000_000]);
    expect(byName(finished, "execute_tool crm.refund").parentSpanContext?.spanId).toBe(byName(finished, "invoke_agent support-bot").spanContext().spanId);
  });

  it("does nothing until a tracer provider is registered, then goes to it", () => {
    const { exporter, provider } = collect();
    const before = startTrialSpans(sampleAgent(), { case: sampleCase(), trial: 1 });
    before.chat("claude-sonnet-5-5", 10).end(message);
    before.end(transcript);
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    expect(exporter.getFinishedSpans()).toEqual([]);
    const after = startTrialSpans(sampleAgent(), { case: sampleCase(), trial: 1 });
    after.end(transcript);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["invoke_agent support-bot"]);
    trace.disable();
  });
});
