import { describe, expect, it } from "vitest";
import { AssembleAgentError, assembleAgent, selectToolServers } from "../../../app/core/evals/assemble-agent.ts";
import { agent, version } from "../../helpers/facts.ts";
import { assembleInput, serverManifest } from "../../helpers/assembled-agent.ts";

describe("assembleAgent", () => {
  it("puts the model, system prompt, overlaid skills and sorted tools together", () => {
    const assembled = assembleAgent(assembleInput());
    expect(assembled.model).toBe("claude-sonnet-5-5");
    expect(assembled.system).toBe("You are Acme's support agent.");
    expect(assembled.agent).toEqual({ name: "support-bot", team: "support", tier: "production" });
    expect(assembled.runner).toEqual({ type: "builtin", system: "prompts/system.md", maxTurns: 4 });
    expect(assembled.tools.map((tool) => `${tool.server}.${tool.name}`)).toEqual(["crm.get_account", "crm.refund", "ticketing.get_ticket", "ticketing.search_tickets"]);
    expect(assembled.skills.map((skill) => `${skill.name}@${skill.version}`)).toEqual(["escalation-rules@1.2.1", "tone-guide@1.0.0"]);
    expect(assembled.skills[1]!.body).toMatchInlineSnapshot(`
      "# Tone guide

      ## Greeting

      Say hi, by first name.

      ## Sign-off

      Say goodbye.
      "
    `);
    expect(assembled.skills[0]!.body).not.toContain("description:");
    expect(assembled.variant).toEqual({ label: "head", ref: "feature", assets: assembleInput().closure.assets });
    expect(assembled.key).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives the same key to variants that run the same thing, whatever their label, ref or input order", () => {
    const input = assembleInput();
    const reordered = assembleInput({
      variant: { label: "base", ref: "main" },
      servers: new Map([...input.servers].reverse()),
      skills: new Map([...input.skills].reverse()),
    });
    expect(assembleAgent(reordered).key).toBe(assembleAgent(input).key);
  });

  it.each([
    ["the suite", { suiteHash: "suite-2" }],
    ["the system prompt", { system: "You are terse." }],
    ["an overlay", { overlays: new Map() }],
    ["a skill's text", { skills: new Map([...assembleInput().skills, ["escalation-rules", "# Escalation\n\nAlways.\n"]]) }],
    ["a content hash", { closure: { ...assembleInput().closure, assets: assembleInput().closure.assets.map((entry) => ({ ...entry, contentHash: entry.contentHash + "x" })) } }],
    ["the model", { closure: { ...assembleInput().closure, model: { ref: "model:claude-opus-5-5", id: "claude-opus-5-5" } } }],
  ] as const)("changes the key when %s changes", (_what, override) => {
    expect(assembleAgent(assembleInput(override)).key).not.toBe(assembleAgent(assembleInput()).key);
  });

  it.each([
    ["an unsatisfiable closure", { closure: { ...assembleInput().closure, status: "unsatisfiable" as const } }, "cannot run support-bot at head: its dependencies do not resolve"],
    ["an unresolved model", { closure: { ...assembleInput().closure, model: { ref: "model:alias:fast", id: null } } }, "cannot run support-bot at head: its model `model:alias:fast` does not resolve to a model id"],
    ["a skill text not read", { skills: new Map() }, "cannot run support-bot at head: the text of skill escalation-rules@1.2.1 was not read"],
    ["a server at another version", { servers: new Map([["crm", serverManifest("crm", "2.0.0", [])]]) }, "cannot run support-bot at head: server crm@2.0.0 is not in its closure"],
  ])("refuses %s", (_what, override, message) => {
    expect(() => assembleAgent(assembleInput(override))).toThrow(new AssembleAgentError("support-bot", "head", message.replace(/^cannot run support-bot at head: /, "")));
  });
});

describe("selectToolServers", () => {
  it("takes the servers the agent names and its skills require, not a server's own dependencies", () => {
    const versions = new Map(
      [
        version("server:crm", "2.0.0", { requires: { "server:billing": "^1.0.0" } }),
        version("skill:escalation", "1.0.0", { requires: { "server:ticketing": "^4.0.0", "skill:tone": "^1.0.0" } }),
        version("skill:tone", "1.0.0", { requires: { "server:paging": "^1.0.0" } }),
      ].map((entry) => [entry.id, entry]),
    );
    const facts = agent("bot", { "server:crm": "^2.0.0", "skill:escalation": "^1.0.0" });
    expect(selectToolServers(facts, (id) => versions.get(id))).toEqual(["crm", "paging", "ticketing"]);
  });
});

