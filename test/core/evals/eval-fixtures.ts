// Builders for eval cases and transcripts in the grading, results and report tests.
import type { Assertion } from "../../../schemas/eval-suite.schema.ts";
import type { ModelCall, ToolCall } from "../../../schemas/transcript.schema.ts";
import type { EvalCase, Transcript } from "../../../app/core/evals/model.ts";

/** A case with these assertions (weights default to 1), threshold 1 unless given. */
export function caseWith(assertions: readonly Partial<Assertion>[], overrides: Partial<EvalCase> = {}): EvalCase {
  return {
    id: "refund-950",
    file: "evals/refunds.yaml",
    line: 3,
    input: "Refund order 950",
    tags: [],
    trials: 3,
    threshold: 1,
    mocks: {},
    assertions: assertions.map((assertion, index) => ({ assertion: { weight: 1, ...assertion } as Assertion, index, line: 10 + index })),
    ...overrides,
  };
}

export function call(key: string, input: unknown = {}, extra: Partial<ToolCall> = {}): ToolCall {
  const [server, tool] = key.split(".") as [string, string];
  return { server, tool, input: input as ToolCall["input"], output: "ok", isError: false, durationMs: 5, source: "mock", ...extra };
}

export function modelCall(model = "claude-sonnet-4-6", usage: Partial<ModelCall["usage"]> = {}, extra: Partial<ModelCall> = {}): ModelCall {
  return {
    model,
    latencyMs: 800,
    stopReason: "end_turn",
    usage: { inputTokens: 1000, outputTokens: 200, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, ...usage },
    ...extra,
  };
}

export function transcript(overrides: Partial<Transcript> = {}): Transcript {
  return {
    schemaVersion: 1,
    output: "Refunded $950 to account A1.",
    modelCalls: [modelCall()],
    toolCalls: [],
    skillsLoaded: [],
    latencyMs: 1200,
    stop: "end",
    ...overrides,
  };
}
