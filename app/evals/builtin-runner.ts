// The builtin runner: blastgate drives Claude itself with the variant's system prompt, skills
// and tools, answering tool calls from the case's mocks (or a live MCP server the suite
// names), and records every model and tool call in the trial's transcript.
import type Anthropic from "@anthropic-ai/sdk";
import type { Tracer } from "@opentelemetry/api";
import { answerMock, toolResultText } from "../core/evals/answer-mock.ts";
import { buildCaseMessages, buildTrialRequest, nameModelTools } from "../core/evals/build-request.ts";
import type { AgentTool, EvalCase, JsonValue, Runner } from "../core/evals/model.ts";
import type { ModelCall, ToolCall, Transcript } from "../../schemas/transcript.schema.ts";
import type { LiveTools } from "./live-tools.ts";
import type { AnsweredMessage, MessagesClient } from "./messages-client.ts";
import { startTrialSpans, type TrialSpans } from "./spans.ts";

export interface BuiltinRunnerOptions {
  /** Where requests go; its own retries are done by the time it throws. */
  readonly client: MessagesClient;
  /** Live MCP servers for tools no mock answers. */
  readonly live?: LiveTools;
  /** Milliseconds since the epoch; `Date.now` unless a test fixes it. */
  readonly clock?: () => number;
  /** Where spans go; the registered tracer provider's unless given. */
  readonly tracer?: Tracer;
}

/**
 * A runner that runs a trial as a tool-use loop.
 *
 * 1. Send the variant's prefix (tools, system prompt, skills) and the conversation so far.
 * 2. Record the model call. Without tool calls in the answer, the trial ends (`end`) and the
 *    answer's text is its output.
 * 3. Answer each tool call: the case's mock rules first, then a live server, else an error
 *    result the model sees (the trial goes on). Record each call; send the results back.
 * 4. After `maxTurns` model calls, stop (`max-turns`), with the last text as output.
 *
 * A thrown error, or the signal aborting, ends the trial with `error` (or `timeout`, when the
 * signal's reason is a timeout) and what happened, never with a throw.
 */
export function createBuiltinRunner(options: BuiltinRunnerOptions): Runner {
  const clock = options.clock ?? Date.now;
  return {
    async run(agent, request, signal) {
      const start = clock();
      const modelCalls: ModelCall[] = [];
      const toolCalls: ToolCall[] = [];
      let output = "";
      let spans: TrialSpans | undefined;
      const finish = (stop: Transcript["stop"], error?: string): Transcript => {
        const transcript: Transcript = {
          schemaVersion: 1,
          output,
          modelCalls,
          toolCalls,
          skillsLoaded: agent.skills.map((skill) => skill.name),
          latencyMs: Math.max(0, clock() - start),
          stop,
          ...(error === undefined ? {} : { error }),
        };
        spans?.end(transcript);
        return transcript;
      };
      try {
        spans = startTrialSpans(agent, request, options.tracer);
        if (agent.runner.type !== "builtin") return finish("error", `${agent.agent.name} runs with its own command (evals.runner.type: command), not the builtin runner`);
        const tools = new Map(nameModelTools(agent.tools).map(({ name, tool }) => [name, tool]));
        const messages: Anthropic.MessageParam[] = buildCaseMessages(request.case.input);
        for (let turn = 1; turn <= agent.runner.maxTurns; turn++) {
          if (signal?.aborted) return finish(...stopped(signal));
          const params = buildTrialRequest(agent, messages);
          const chat = spans.chat(agent.model, params.max_tokens);
          const startedAt = clock();
          let answered: AnsweredMessage;
          try {
            answered = await chat.within(() => options.client.create(params, signal));
          } catch (error) {
            chat.fail(error);
            throw error;
          }
          chat.end(answered.message, answered.requestId);
          modelCalls.push(describeCall(answered, startedAt));
          const { message } = answered;
          const text = textOf(message);
          if (text !== "") output = text;
          const uses = message.content.filter((block): block is Anthropic.ToolUseBlock => block.type === "tool_use");
          // Only a tool_use stop asks for results: a tool call cut off by max_tokens is not run.
          if (message.stop_reason !== "tool_use" || uses.length === 0) {
            output = text;
            return finish("end");
          }
          messages.push({ role: "assistant", content: message.content });
          const calls = await Promise.all(uses.map((use) => callTool(use, tools, request.case, spans!, options.live, clock, signal)));
          toolCalls.push(...calls.map((entry) => entry.call));
          messages.push({
            role: "user",
            content: calls.map(({ use, call }) => ({ type: "tool_result", tool_use_id: use.id, content: toolResultText(call.output as JsonValue), ...(call.isError ? { is_error: true } : {}) })),
          });
        }
        return finish("max-turns");
      } catch (error) {
        if (signal?.aborted) return finish(...stopped(signal));
        return finish("error", messageOf(error));
      }
    },
  };
}

/** The transcript's stop and error for an aborted trial: a timeout when the signal says so. */
function stopped(signal: AbortSignal): [Transcript["stop"], string] {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "TimeoutError") return ["timeout", "the trial ran out of time"];
  return ["error", `the trial was stopped${reason instanceof Error && reason.message ? `: ${reason.message}` : ""}`];
}

async function callTool(
  use: Anthropic.ToolUseBlock,
  tools: ReadonlyMap<string, AgentTool>,
  kase: EvalCase,
  spans: TrialSpans,
  live: LiveTools | undefined,
  clock: () => number,
  signal: AbortSignal | undefined,
): Promise<{ use: Anthropic.ToolUseBlock; call: ToolCall }> {
  const started = clock();
  const tool = tools.get(use.name);
  const input = (use.input ?? {}) as JsonValue;
  const key = tool ? `${tool.server}.${tool.name}` : use.name;
  const span = spans.tool(key, use.id, tool?.server ?? "");
  let answer: { output: JsonValue; isError: boolean; source?: ToolCall["source"] };
  if (!tool) {
    answer = { output: `there is no tool named ${use.name}`, isError: true };
  } else {
    const rules = kase.mocks[key] ?? [];
    const mocked = answerMock(rules, input);
    if (mocked) answer = { ...mocked, source: "mock" };
    else if (live?.has(tool.server)) {
      const result = await live.call(tool.server, tool.name, isRecord(input) ? input : {}, signal);
      answer = { ...result, source: "live" };
    } else {
      const mock = rules.length === 0 ? `no mock for ${key}` : `no mock rule for ${key} matches this input`;
      answer = { output: `${mock} in case ${kase.id}, and no live server`, isError: true };
    }
  }
  const call: ToolCall = {
    server: tool?.server ?? "",
    tool: tool?.name ?? use.name,
    input,
    output: answer.output,
    isError: answer.isError,
    durationMs: Math.max(0, clock() - started),
    ...(answer.source ? { source: answer.source } : {}),
  };
  span.end(call);
  return { use, call };
}

function describeCall(answered: AnsweredMessage, startedAt: number): ModelCall {
  const { message } = answered;
  return {
    model: message.model,
    startedAt: new Date(startedAt).toISOString(),
    latencyMs: answered.latencyMs,
    stopReason: message.stop_reason,
    usage: {
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
      cacheCreationInputTokens: message.usage.cache_creation_input_tokens ?? 0,
      cacheReadInputTokens: message.usage.cache_read_input_tokens ?? 0,
    },
    ...(answered.requestId ? { requestId: answered.requestId } : {}),
    ...(answered.batch ? { batch: true } : {}),
  };
}

function textOf(message: Anthropic.Message): string {
  return message.content
    .filter((block): block is Anthropic.TextBlock => block.type === "text")
    .map((block) => block.text)
    .join("\n\n");
}

function isRecord(value: JsonValue): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
