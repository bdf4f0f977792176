import { describe, expect, it } from "vitest";
import { buildCaseMessages, buildPrefix, buildTrialRequest, buildWarmupRequest, MAX_TOKENS, nameModelTools } from "../../../app/core/evals/build-request.ts";
import type { AgentTool } from "../../../app/core/evals/model.ts";
import { sampleAgent, sampleCase } from "../../helpers/assembled-agent.ts";

const prefixOf = (request: { tools?: unknown; system?: unknown; model: string }) => JSON.stringify({ model: request.model, tools: request.tools, system: request.system });

describe("buildTrialRequest", () => {
  it("sends tools, the system prompt and each skill, with one cache mark on the last system block", () => {
    const request = buildTrialRequest(sampleAgent(), buildCaseMessages("Where is my refund?"));
    expect(request.tools?.map((tool) => ("name" in tool ? tool.name : ""))).toEqual(["crm__get_account", "crm__refund", "ticketing__get_ticket", "ticketing__search_tickets"]);
    expect(request.tools?.[2]).toEqual({
      name: "ticketing__get_ticket",
      description: "Does get_ticket.",
      input_schema: { type: "object", properties: { ticket_id: { type: "integer" } }, required: ["ticket_id"] },
    });
    expect(request.system).toMatchInlineSnapshot(`
      [
        {
          "text": "You are Acme's support agent.",
          "type": "text",
        },
        {
          "text": "<skill name="escalation-rules" version="1.2.1">
      # Escalation

      ## When

      When unsure.
      </skill>",
          "type": "text",
        },
        {
          "cache_control": {
            "type": "ephemeral",
          },
          "text": "<skill name="tone-guide" version="1.0.0">
      # Tone guide

      ## Greeting

      Say hi, by first name.

      ## Sign-off

      Say goodbye.
      </skill>",
          "type": "text",
        },
      ]
    `);
    expect(JSON.stringify(request).match(/cache_control/g)).toHaveLength(1);
    expect(request).not.toHaveProperty("temperature");
    expect(request.max_tokens).toBe(MAX_TOKENS);
    expect(request.model).toBe("claude-sonnet-5-5");
    expect(request.messages).toEqual([{ role: "user", content: "Where is my refund?" }]);
  });

  it("sends the same prefix bytes for every case and trial of a variant, and for the warm-up", () => {
    const agent = sampleAgent();
    const cases = [
      sampleCase({ input: "one" }),
      sampleCase({ id: "case-2", input: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "refund?" }] }),
    ];
    const prefixes = new Set([
      ...cases.flatMap((kase) => [1, 2, 3].map(() => prefixOf(buildTrialRequest(agent, buildCaseMessages(kase.input))))),
      prefixOf(buildTrialRequest(sampleAgent(), [{ role: "user", content: "later turn" }])),
      prefixOf(buildWarmupRequest(agent)),
    ]);
    expect(prefixes.size).toBe(1);
  });

  it("marks the last tool when there is no system block, and nothing when there is neither", () => {
    const noSystem = sampleAgent({ system: null, closure: { ...sampleAgentClosureWithoutSkills() }, skills: new Map(), overlays: new Map() });
    const prefix = buildPrefix(noSystem);
    expect(prefix.system).toEqual([]);
    expect(prefix.tools.map((tool) => tool.cache_control ?? null)).toEqual([null, null, null, { type: "ephemeral" }]);
    const bare = buildTrialRequest({ ...noSystem, tools: [] }, [{ role: "user", content: "hi" }]);
    expect(bare).not.toHaveProperty("tools");
    expect(bare).not.toHaveProperty("system");
  });

  it("keeps a conversation's turns in order", () => {
    expect(buildCaseMessages([{ role: "user", content: "a" }, { role: "assistant", content: "b" }, { role: "user", content: "c" }])).toEqual([
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
      { role: "user", content: "c" },
    ]);
  });
});

describe("buildWarmupRequest", () => {
  it("asks for one token with a tiny message", () => {
    const request = buildWarmupRequest(sampleAgent());
    expect(request.max_tokens).toBe(1);
    expect(request.messages).toEqual([{ role: "user", content: "Reply with OK." }]);
  });
});

describe("nameModelTools", () => {
  const tool = (server: string, name: string): AgentTool => ({ server, name, description: "", inputSchema: {} });
  it("names tools server__tool, replacing characters Claude does not allow and numbering long or taken names", () => {
    const names = nameModelTools([tool("crm", "get_account"), tool("crm", "v2.refund"), tool("crm", "v2_refund"), tool("a-very-long-server-name", "x".repeat(60))]).map((entry) => entry.name);
    expect(names.slice(0, 3)).toEqual(["crm__get_account", "crm__v2_refund", "crm__v2_refund_3"]);
    expect(names[3]).toHaveLength(64);
    expect(names[3]!.endsWith("_4")).toBe(true);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });
});

function sampleAgentClosureWithoutSkills() {
  const closure = sampleAgent().variant;
  return { status: "ok" as const, model: { ref: "model:default", id: "claude-sonnet-5-5" }, assets: closure.assets.filter((entry) => entry.asset.startsWith("server:")) };
}
