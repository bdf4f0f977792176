// OpenTelemetry spans for eval trials, named and attributed as the GenAI semantic conventions
// say: one `invoke_agent {agent}` span per trial, a `chat {model}` span per model call and
// an `execute_tool {tool}` span per tool call under it. Through @opentelemetry/api alone:
// without a registered tracer provider every call is a no-op.
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import type Anthropic from "@anthropic-ai/sdk";
import type { AgentUnderTest, TrialRequest } from "../core/evals/model.ts";
import type { Transcript } from "../../schemas/transcript.schema.ts";
import type { ModelCall, ToolCall } from "../../schemas/transcript.schema.ts";

/**
 * Attribute names of the GenAI semantic conventions (gen_ai registry, semconv 1.37+), as
 * `@opentelemetry/semantic-conventions/incubating` names them. Copied rather than imported,
 * as that package advises for incubating names; a test checks they still agree.
 */
export const GEN_AI = {
  operationName: "gen_ai.operation.name",
  providerName: "gen_ai.provider.name",
  agentName: "gen_ai.agent.name",
  agentId: "gen_ai.agent.id",
  requestModel: "gen_ai.request.model",
  requestMaxTokens: "gen_ai.request.max_tokens",
  responseModel: "gen_ai.response.model",
  responseId: "gen_ai.response.id",
  responseFinishReasons: "gen_ai.response.finish_reasons",
  usageInputTokens: "gen_ai.usage.input_tokens",
  usageOutputTokens: "gen_ai.usage.output_tokens",
  usageCacheCreationInputTokens: "gen_ai.usage.cache_creation.input_tokens",
  usageCacheReadInputTokens: "gen_ai.usage.cache_read.input_tokens",
  toolName: "gen_ai.tool.name",
  toolCallId: "gen_ai.tool.call.id",
  toolType: "gen_ai.tool.type",
  errorType: "error.type",
} as const;

const PROVIDER = "anthropic";
const TRACER_NAME = "blastgate";

/** A span for a model call in progress. */
export interface ChatSpan {
  /**
   * Runs `send` with this span as the active one, so spans the client starts (the Anthropic
   * SDK's own `anthropic.messages.create` span, HTTP spans) are its children when the
   * application has registered a context manager.
   */
  within<T>(send: () => Promise<T>): Promise<T>;
  /** Ends it with what the API answered. */
  end(message: Anthropic.Message, requestId?: string): void;
  /** Ends it as failed. */
  fail(error: unknown): void;
}

/** A span for a tool call in progress. */
export interface ToolSpan {
  /** Ends it; a failed call is marked as an error. */
  end(result: Pick<ToolCall, "isError" | "source">): void;
}

/** The spans of one trial. */
export interface TrialSpans {
  chat(model: string, maxTokens: number): ChatSpan;
  tool(name: string, callId: string, server: string): ToolSpan;
  /** Ends the trial's span with its outcome. */
  end(transcript: Transcript): void;
}

/** The tracer spans go to: the registered provider's, or a no-op one. Looked up at each call, never at import. */
export function defaultTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Starts the `invoke_agent` span of one trial; model and tool spans started from it are its children. */
export function startTrialSpans(agent: AgentUnderTest, request: TrialRequest, tracer: Tracer = defaultTracer(), startTime?: number): TrialSpans {
  const root = tracer.startSpan(
    `invoke_agent ${agent.agent.name}`,
    {
      kind: SpanKind.INTERNAL,
      startTime,
      attributes: {
        [GEN_AI.operationName]: "invoke_agent",
        [GEN_AI.providerName]: PROVIDER,
        [GEN_AI.agentName]: agent.agent.name,
        [GEN_AI.agentId]: agent.key,
        [GEN_AI.requestModel]: agent.model,
        "blastgate.variant": agent.variant.label,
        "blastgate.variant.ref": agent.variant.ref,
        "blastgate.case.id": request.case.id,
        "blastgate.trial": request.trial,
      },
    },
    context.active(),
  );
  const parent = trace.setSpan(context.active(), root);
  return {
    chat(model, maxTokens) {
      const span = tracer.startSpan(
        `chat ${model}`,
        { kind: SpanKind.CLIENT, attributes: { [GEN_AI.operationName]: "chat", [GEN_AI.providerName]: PROVIDER, [GEN_AI.requestModel]: model, [GEN_AI.requestMaxTokens]: maxTokens } },
        parent,
      );
      return {
        within: (send) => context.with(trace.setSpan(parent, span), send),
        end(message, requestId) {
          span.setAttributes(responseAttributes(message, requestId));
          span.end();
        },
        fail(error) {
          failSpan(span, error);
          span.end();
        },
      };
    },
    tool(name, callId, server) {
      const span = tracer.startSpan(
        `execute_tool ${name}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: { [GEN_AI.operationName]: "execute_tool", [GEN_AI.toolName]: name, [GEN_AI.toolCallId]: callId, [GEN_AI.toolType]: "function", "blastgate.tool.server": server },
        },
        parent,
      );
      return {
        end(result) {
          if (result.source) span.setAttribute("blastgate.tool.source", result.source);
          if (result.isError) {
            span.setAttribute(GEN_AI.errorType, "tool_error");
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        },
      };
    },
    end(transcript) {
      endTrial(root, transcript);
    },
  };
}

/**
 * Spans for a trial another process ran (the command runner), from its transcript after
 * the fact: model calls at their `startedAt`, or laid end to end from `startMs`; tool calls
 * from `startMs` with their duration (a transcript does not say when they started).
 */
export function recordTranscriptSpans(agent: AgentUnderTest, request: TrialRequest, transcript: Transcript, startMs: number, tracer: Tracer = defaultTracer()): void {
  const root = tracer.startSpan(`invoke_agent ${agent.agent.name}`, {
    kind: SpanKind.INTERNAL,
    startTime: startMs,
    attributes: {
      [GEN_AI.operationName]: "invoke_agent",
      [GEN_AI.providerName]: PROVIDER,
      [GEN_AI.agentName]: agent.agent.name,
      [GEN_AI.agentId]: agent.key,
      [GEN_AI.requestModel]: agent.model,
      "blastgate.variant": agent.variant.label,
      "blastgate.case.id": request.case.id,
      "blastgate.trial": request.trial,
    },
  });
  const parent = trace.setSpan(context.active(), root);
  let at = startMs;
  for (const call of transcript.modelCalls) {
    const start = call.startedAt ? Date.parse(call.startedAt) : at;
    const span = tracer.startSpan(
      `chat ${call.model}`,
      { kind: SpanKind.CLIENT, startTime: start, attributes: { [GEN_AI.operationName]: "chat", [GEN_AI.providerName]: PROVIDER, [GEN_AI.requestModel]: call.model, ...modelCallAttributes(call) } },
      parent,
    );
    span.end(start + call.latencyMs);
    at = start + call.latencyMs;
  }
  for (const call of transcript.toolCalls) {
    const name = `${call.server}.${call.tool}`;
    const span = tracer.startSpan(
      `execute_tool ${name}`,
      { kind: SpanKind.INTERNAL, startTime: startMs, attributes: { [GEN_AI.operationName]: "execute_tool", [GEN_AI.toolName]: name, [GEN_AI.toolType]: "function", "blastgate.tool.server": call.server } },
      parent,
    );
    if (call.isError) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(startMs + call.durationMs);
  }
  endTrial(root, transcript, startMs + transcript.latencyMs);
}

function endTrial(root: Span, transcript: Transcript, endTime?: number): void {
  root.setAttribute("blastgate.stop", transcript.stop);
  if (transcript.stop === "error" || transcript.stop === "timeout") {
    root.setAttribute(GEN_AI.errorType, transcript.stop);
    root.setStatus({ code: SpanStatusCode.ERROR, message: transcript.error ?? transcript.stop });
  }
  root.end(endTime);
}

/** Usage as the conventions count it: input tokens include the cached ones (Anthropic's `input_tokens` does not). */
function responseAttributes(message: Anthropic.Message, requestId: string | undefined): Attributes {
  const creation = message.usage.cache_creation_input_tokens ?? 0;
  const read = message.usage.cache_read_input_tokens ?? 0;
  return {
    [GEN_AI.responseModel]: message.model,
    [GEN_AI.responseId]: message.id,
    ...(message.stop_reason ? { [GEN_AI.responseFinishReasons]: [message.stop_reason] } : {}),
    [GEN_AI.usageInputTokens]: message.usage.input_tokens + creation + read,
    [GEN_AI.usageOutputTokens]: message.usage.output_tokens,
    [GEN_AI.usageCacheCreationInputTokens]: creation,
    [GEN_AI.usageCacheReadInputTokens]: read,
    ...(requestId ? { "anthropic.request_id": requestId } : {}),
  };
}

function modelCallAttributes(call: ModelCall): Attributes {
  const { usage } = call;
  return {
    [GEN_AI.responseModel]: call.model,
    ...(call.stopReason ? { [GEN_AI.responseFinishReasons]: [call.stopReason] } : {}),
    [GEN_AI.usageInputTokens]: usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens,
    [GEN_AI.usageOutputTokens]: usage.outputTokens,
    [GEN_AI.usageCacheCreationInputTokens]: usage.cacheCreationInputTokens,
    [GEN_AI.usageCacheReadInputTokens]: usage.cacheReadInputTokens,
    ...(call.requestId ? { "anthropic.request_id": call.requestId } : {}),
  };
}

function failSpan(span: Span, error: unknown): void {
  span.setAttribute(GEN_AI.errorType, error instanceof Error ? error.constructor.name : "_OTHER");
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
