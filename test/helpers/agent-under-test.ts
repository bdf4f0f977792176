// Small eval facts for tests: one agent set-up and one case, each overridable.
import type { AgentUnderTest, EvalCase } from "../../app/core/evals/model.ts";
import type { Transcript } from "../../schemas/transcript.schema.ts";

export function agentUnderTest(overrides: Partial<AgentUnderTest> = {}): AgentUnderTest {
  return {
    agent: { name: "support", team: "cx", tier: "production" },
    variant: {
      label: "head",
      ref: "refs/pull/7/head",
      assets: [
        { asset: "server:crm", version: "2.1.0", contentHash: "c".repeat(64) },
        { asset: "skill:tone-guide", version: "1.0.0", contentHash: "d".repeat(64) },
      ],
    },
    model: "claude-sonnet-4-6",
    system: "You help customers of Acme.",
    skills: [{ name: "tone-guide", version: "1.0.0", body: "Be kind and brief." }],
    tools: [{ server: "crm", name: "get_account", description: "Reads an account.", inputSchema: { type: "object", properties: { id: { type: "string" } } } }],
    runner: { type: "builtin", maxTurns: 10 },
    key: "a".repeat(64),
    ...overrides,
  };
}

export function evalCase(overrides: Partial<EvalCase> = {}): EvalCase {
  return {
    id: "refund-policy",
    file: "evals/refunds.yaml",
    line: 3,
    input: "Can I get a refund for order 42?",
    tags: ["refunds"],
    trials: 3,
    threshold: 1,
    mocks: { "crm.get_account": [{ when: { id: "42" }, returns: { plan: "pro" } }] },
    assertions: [{ assertion: { type: "contains", value: "refund" } as EvalCase["assertions"][number]["assertion"], index: 0, line: 7 }],
    ...overrides,
  };
}

export function transcript(overrides: Partial<Transcript> = {}): Transcript {
  return {
    schemaVersion: 1,
    output: "Yes, order 42 can be refunded.",
    modelCalls: [
      {
        model: "claude-sonnet-4-6",
        latencyMs: 812,
        stopReason: "end_turn",
        usage: { inputTokens: 120, outputTokens: 40, cacheCreationInputTokens: 0, cacheReadInputTokens: 2048 },
        requestId: "req_1",
      },
    ],
    toolCalls: [{ server: "crm", tool: "get_account", input: { id: "42" }, output: { plan: "pro" }, isError: false, durationMs: 1, source: "mock" }],
    skillsLoaded: ["tone-guide"],
    latencyMs: 900,
    stop: "end",
    ...overrides,
  };
}
