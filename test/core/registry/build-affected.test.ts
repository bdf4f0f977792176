import { describe, expect, it } from "vitest";
import { buildAffected } from "../../../app/core/registry/build-affected-report.ts";
import { agent, defaultModels, history, tree } from "../../helpers/facts.ts";

const tagged = { "server:crm": { "2.0.0": {}, "2.1.0": {} }, "skill:tone-guide": { "1.0.0": { requires: { "server:crm": "^2.0.0" } } } };
const toneGuide = ["1.0.0", { requires: { "server:crm": "^2.0.0" } }] as const;
const agents = [
  agent("direct", { "server:crm": "^2.0.0" }, { model: "claude-opus-5-5" }),
  agent("on-default", { "skill:tone-guide": "^1.0.0" }),
  agent("pinned", { "server:crm": "~2.0.0" }, { model: "claude-opus-5-5" }),
];

function build(headTree: ReturnType<typeof tree>) {
  const base = tree({ "server:crm": ["2.1.0"], "skill:tone-guide": toneGuide });
  return buildAffected({ history: history(tagged, base, headTree), agents, loadProblems: [], refs: { base: "main", head: "pr" }, today: "2026-11-24" });
}

describe("buildAffected", () => {
  it("hands back each affected agent's whole closure at base and at head, content ids included", () => {
    const { report, closureOf } = build(tree({ "server:crm": ["2.2.0"], "skill:tone-guide": toneGuide }, defaultModels, "head"));
    expect(report.affected.map((entry) => entry.agent)).toEqual(["direct", "on-default"]);
    expect(closureOf("on-default")).toEqual({
      base: { status: "ok", model: { ref: "model:default", id: "claude-sonnet-4-5" }, assets: [
        { asset: "server:crm", version: "2.1.0", contentHash: "server:crm@2.1.0##{}" },
        { asset: "skill:tone-guide", version: "1.0.0", contentHash: 'skill:tone-guide@1.0.0##{"server:crm":"^2.0.0"}' },
      ] },
      head: { status: "ok", model: { ref: "model:default", id: "claude-sonnet-4-5" }, assets: [
        { asset: "server:crm", version: "2.2.0", contentHash: "server:crm@2.2.0##{}" },
        { asset: "skill:tone-guide", version: "1.0.0", contentHash: 'skill:tone-guide@1.0.0##{"server:crm":"^2.0.0"}' },
      ] },
    });
    expect([closureOf("pinned"), closureOf("nobody")]).toEqual([undefined, undefined]);
  });

  it("resolves the closure of an agent that moved only by its model", () => {
    const { closureOf } = build(tree({ "server:crm": ["2.1.0"], "skill:tone-guide": toneGuide }, { ...defaultModels, default: "claude-sonnet-5-5" }, "head"));
    const closures = closureOf("on-default")!;
    expect([closures.base.model.id, closures.head.model.id]).toEqual(["claude-sonnet-4-5", "claude-sonnet-5-5"]);
    expect(closures.head.assets.map((asset) => `${asset.asset}@${asset.version}`)).toEqual(["server:crm@2.1.0", "skill:tone-guide@1.0.0"]);
  });
});
