import { describe, expect, it } from "vitest";
import { computeBlastRadius } from "../../../app/core/registry/compute-blast-radius.ts";
import type { AgentFacts } from "../../../app/core/registry/model.ts";
import { agent, defaultModels, state, type VersionsSpec } from "../../helpers/facts.ts";

const base: VersionsSpec = {
  "server:crm": { "2.0.0": {}, "2.1.0": {} },
  "server:ticketing": { "4.0.0": {} },
  "skill:tone-guide": { "1.0.0": {} },
  "skill:onboarding": { "1.0.0": { requires: { "server:crm": "^2.0.0", "skill:tone-guide": "^1.0.0" } } },
  "skill:escalation": { "1.2.0": { requires: { "server:ticketing": "^4.0.0" } } },
};

const agents: AgentFacts[] = [
  agent("direct", { "server:crm": "^2.0.0" }),
  agent("transitive", { "skill:onboarding": "^1.0.0" }, { tier: "staging" }),
  agent("pinned", { "server:crm": "~2.0.0" }),
  agent("exact", { "server:crm": "2.1.0" }),
  agent("elsewhere", { "server:ticketing": "^4.0.0" }, { model: "fast" }),
  agent("on-id", { "skill:escalation": "^1.2.0" }, { model: "claude-opus-5-5" }),
];

function radius(head: VersionsSpec, models = defaultModels, list: readonly AgentFacts[] = agents) {
  return computeBlastRadius(state(base), state(head, models), list);
}

describe("computeBlastRadius", () => {
  it("moves direct and transitive consumers of a new server release, and lists the pinned ones with their range", () => {
    const result = radius({ ...base, "server:crm": { ...base["server:crm"], "2.2.0": {} } });
    expect(result.affected.map((a) => [a.agent, a.paths, a.moves])).toEqual([
      ["direct", [["server:crm"]], [{ asset: "server:crm", from: "2.1.0", to: "2.2.0", contentChanged: true }]],
      ["transitive", [["skill:onboarding", "server:crm"]], [{ asset: "server:crm", from: "2.1.0", to: "2.2.0", contentChanged: true }]],
    ]);
    expect(result.unaffected.map((u) => [u.agent, u.asset, u.version, u.range])).toEqual([
      ["exact", "server:crm", "2.1.0", "2.1.0"],
      ["pinned", "server:crm", "2.0.0", "~2.0.0"],
    ]);
    expect(result.unaffected.find((u) => u.agent === "pinned")?.reason).toBe("`~2.0.0` (agent.yaml) excludes 2.2.0; stays on 2.0.0");
  });

  it("shares one frozen move between agents that move the same asset between the same versions, and keeps the others apart", () => {
    const list = [...agents, agent("also-direct", { "server:crm": "^2.0.0" }), agent("from-old", { "server:crm": ">=2.0.0 <2.1.0 || 2.2.0" })];
    const result = radius({ ...base, "server:crm": { "2.0.0": {}, "2.1.0": {}, "2.2.0": {} } }, defaultModels, list);
    const moveOf = (name: string) => result.affected.find((a) => a.agent === name)!.moves[0]!;
    expect(moveOf("direct")).toBe(moveOf("also-direct"));
    expect(moveOf("direct")).toBe(moveOf("transitive"));
    expect(Object.isFrozen(moveOf("direct"))).toBe(true);
    expect(moveOf("from-old")).toEqual({ asset: "server:crm", from: "2.0.0", to: "2.2.0", contentChanged: true });
    expect(moveOf("direct")).toEqual({ asset: "server:crm", from: "2.1.0", to: "2.2.0", contentChanged: true });
  });

  it("affects the agents on a version whose content changed under the same version", () => {
    const result = radius({ ...base, "server:crm": { "2.0.0": {}, "2.1.0": { content: "edited" } } });
    expect(result.affected.map((a) => [a.agent, a.moves[0]])).toEqual([
      ["direct", { asset: "server:crm", from: "2.1.0", to: "2.1.0", contentChanged: true }],
      ["exact", { asset: "server:crm", from: "2.1.0", to: "2.1.0", contentChanged: true }],
      ["transitive", { asset: "server:crm", from: "2.1.0", to: "2.1.0", contentChanged: true }],
    ]);
    expect(result.unaffected.map((u) => u.agent)).toEqual(["pinned"]);
  });

  it("affects exactly the agents on `default` when the default model changes", () => {
    const result = radius(base, { ...defaultModels, default: "claude-sonnet-5-5" });
    expect(result.affected.map((a) => [a.agent, a.paths, a.moves])).toEqual(
      ["direct", "exact", "pinned", "transitive"].map((name) => [
        name,
        [["model:default"]],
        [{ asset: "model:default", from: "claude-sonnet-4-5", to: "claude-sonnet-5-5", contentChanged: false }],
      ]),
    );
  });

  it("affects only the alias's agents when an alias is retargeted", () => {
    const result = radius(base, { ...defaultModels, aliases: { fast: "claude-haiku-5-5" } });
    expect(result.affected.map((a) => [a.agent, a.moves])).toEqual([
      ["elsewhere", [{ asset: "model:alias:fast", from: "claude-haiku-4-5", to: "claude-haiku-5-5", contentChanged: false }]],
    ]);
  });

  it("makes the agents on a removed alias unsatisfiable at head, with an error at their `model:` line", () => {
    const result = radius(base, { ...defaultModels, aliases: {} });
    expect(result.affected.map((a) => [a.agent, a.status, a.moves])).toEqual([
      ["elsewhere", { base: "ok", head: "unsatisfiable" }, [{ asset: "model:alias:fast", from: "claude-haiku-4-5", to: null, contentChanged: false }]],
    ]);
    expect(result.problems.map((p) => [p.level, p.code, `${p.repo}/${p.path}`, p.line])).toEqual([["error", "unknown-model", "agents/elsewhere/agent.yaml", 5]]);
  });

  it("reports an asset that joins the closure through a new requirement, with the path through the changed skill", () => {
    const result = radius({ ...base, "skill:escalation": { ...base["skill:escalation"], "1.3.0": { requires: { "server:ticketing": "^4.0.0", "server:crm": "^2.1.0" } } } });
    const onId = result.affected.find((a) => a.agent === "on-id");
    expect(onId?.moves).toEqual([
      { asset: "server:crm", from: null, to: "2.1.0", contentChanged: true },
      { asset: "skill:escalation", from: "1.2.0", to: "1.3.0", contentChanged: true },
    ]);
    expect(onId?.paths).toEqual([["skill:escalation", "server:crm"], ["skill:escalation"]]);
  });

  it("makes consumers of a removed server unsatisfiable at head, with an error naming the range", () => {
    const { "server:ticketing": _removed, ...rest } = base;
    const result = radius(rest);
    expect(result.affected.map((a) => [a.agent, a.status])).toEqual([
      ["elsewhere", { base: "ok", head: "unsatisfiable" }],
      ["on-id", { base: "ok", head: "unsatisfiable" }],
    ]);
    expect(result.problems.map((p) => [p.level, p.agent, p.path, p.message])).toEqual([
      ["error", "elsewhere", "agent.yaml", expect.stringContaining("becomes unsatisfiable at head: no version of server:ticketing satisfies `^4.0.0`")],
      ["error", "on-id", "skills/escalation/SKILL.md", expect.stringContaining("server:ticketing does not exist in the registry")],
    ]);
  });

  it("affects nobody and resolves nobody when nothing changed", () => {
    const result = radius(base);
    expect(result.affected).toEqual([]);
    expect(result.resolutions.size).toBe(0);
  });

  it("only resolves the agents that can reach a changed asset", () => {
    const result = radius({ ...base, "skill:tone-guide": { "1.0.0": {}, "1.0.1": {} } });
    expect([...result.resolutions.keys()].sort()).toEqual(["transitive"]);
    expect(result.affected.map((a) => a.agent)).toEqual(["transitive"]);
  });

  it("keeps an agent unsatisfiable at base and head out of the radius when its resolution is otherwise the same, with a warning", () => {
    const stuck = agent("stuck", { "server:crm": "^9.0.0", "skill:tone-guide": "^1.0.0" });
    // A move of another of its assets still affects it…
    const moved = radius({ ...base, "skill:tone-guide": { "1.0.0": {}, "1.0.1": {} } }, defaultModels, [stuck]);
    expect(moved.affected.map((a) => a.agent)).toEqual(["stuck"]);
    // …but a new crm that its ^9.0.0 still cannot reach does not.
    const unchanged = computeBlastRadius(state(base), state({ ...base, "server:crm": { ...base["server:crm"], "2.3.0": {} } }), [stuck]);
    expect(unchanged.affected).toEqual([]);
    expect(unchanged.problems.map((p) => [p.level, p.code])).toEqual([["warning", "unsatisfiable"]]);
  });
});
