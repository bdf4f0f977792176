import { createHash } from "node:crypto";
import { agentManifestSchema } from "../../schemas/agent.schema.ts";
import { serverManifestSchema, type ServerManifest } from "../../schemas/server.schema.ts";
import { assembleAgent, type AssembleAgentInput } from "../../app/core/evals/assemble-agent.ts";
import type { AgentUnderTest, EvalCase } from "../../app/core/evals/model.ts";

/** sha256 in hex, as the shells hash. */
export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A server manifest with the given tools (each an object input without properties unless given). */
export function serverManifest(name: string, version: string, tools: readonly { name: string; inputSchema?: Record<string, unknown> }[]): ServerManifest {
  return serverManifestSchema.parse({
    name,
    description: `The ${name} server.`,
    version,
    owner: "platform",
    lifecycle: "production",
    tools: tools.map((tool) => ({ name: tool.name, description: `Does ${tool.name}.`, inputSchema: tool.inputSchema ?? { type: "object", properties: {} } })),
  });
}

/** The input for a support agent with the crm and ticketing servers and two skills, one overlaid. */
export function assembleInput(overrides: Partial<AssembleAgentInput> = {}): AssembleAgentInput {
  const manifest = agentManifestSchema.parse({
    name: "support-bot",
    team: "support",
    tier: "production",
    servers: { crm: "^2.0.0", ticketing: "^4.0.0" },
    skills: { "tone-guide": { version: "^1.0.0", overlay: "overlays/tone.md" }, "escalation-rules": "^1.0.0" },
    evals: { runner: { type: "builtin", system: "prompts/system.md", maxTurns: 4 } },
  });
  return {
    agent: { name: "support-bot", team: "support", tier: "production", manifest },
    variant: { label: "head", ref: "feature" },
    closure: {
      status: "ok",
      model: { ref: "model:default", id: "claude-sonnet-5-5" },
      assets: [
        { asset: "server:crm", version: "2.1.0", contentHash: "aaa1" },
        { asset: "server:ticketing", version: "4.2.0", contentHash: "bbb2" },
        { asset: "skill:escalation-rules", version: "1.2.1", contentHash: "ccc3" },
        { asset: "skill:tone-guide", version: "1.0.0", contentHash: "ddd4" },
      ],
    },
    servers: new Map([
      ["ticketing", serverManifest("ticketing", "4.2.0", [{ name: "search_tickets" }, { name: "get_ticket", inputSchema: { type: "object", properties: { ticket_id: { type: "integer" } }, required: ["ticket_id"] } }])],
      ["crm", serverManifest("crm", "2.1.0", [{ name: "get_account" }, { name: "refund" }])],
    ]),
    skills: new Map([
      ["tone-guide", "---\nname: tone-guide\ndescription: Tone.\n---\n# Tone guide\n\n## Greeting\n\nSay hello.\n\n## Sign-off\n\nSay goodbye.\n"],
      ["escalation-rules", "---\nname: escalation-rules\ndescription: Escalate.\n---\n# Escalation\n\n## When\n\nWhen unsure.\n"],
    ]),
    overlays: new Map([["tone-guide", "---\nreplaces: [Greeting]\n---\n## Greeting\n\nSay hi, by first name.\n"]]),
    system: "You are Acme's support agent.",
    suiteHash: "suite-1",
    hash: sha256,
    ...overrides,
  };
}

/** A support agent under test. */
export function sampleAgent(overrides: Partial<AssembleAgentInput> = {}): AgentUnderTest {
  return assembleAgent(assembleInput(overrides));
}

/** A case with defaults for what the test does not care about. */
export function sampleCase(overrides: Partial<EvalCase> = {}): EvalCase {
  return { id: "case-1", file: "evals/cases.yaml", line: 3, input: "Where is my refund?", tags: [], trials: 1, threshold: 1, mocks: {}, assertions: [], ...overrides };
}
