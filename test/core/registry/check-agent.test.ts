import { describe, expect, it } from "vitest";
import { checkAgent } from "../../../app/core/registry/check-agent.ts";
import { createResolver } from "../../../app/core/registry/resolve-agent.ts";
import { formatProblem } from "../../../app/core/report/render-text.ts";
import { agent, defaultModels, state } from "../../helpers/facts.ts";

const registry = state(
  { "server:crm": { "2.0.0": {}, "2.1.0": {} }, "skill:tone-guide": { "1.0.0": { headings: ["Voice"] }, "2.0.0": { headings: ["Tone"] } } },
  { ...defaultModels, deprecated: { "claude-sonnet-4-5": { retires: "2026-11-30", replacement: "claude-sonnet-5-5" } } },
);

describe("checkAgent", () => {
  it("checks one agent alone, as an agent-repo PR needs: ranges, model and overlays, each at its line", () => {
    const overlay = { source: { repo: "agents/solo", path: "overlays/tone.md" }, headings: new Map([["Voice", 3]]), declaredReplaces: ["Voice"] };
    const solo = agent("solo", { "server:crm": "^3.0.0", "skill:tone-guide": "^2.0.0" }, { overlays: new Map([["tone-guide", overlay]]) });
    const problems = checkAgent(solo, createResolver(registry)(solo), registry, "2026-11-24").map(formatProblem);
    expect(problems).toEqual([
      "agent.yaml:1: error: is unsatisfiable: no version of server:crm satisfies `^3.0.0` from agent.yaml; published versions are 2.1.0, 2.0.0. Widen a range or publish a version that fits [solo]",
      "overlays/tone.md:3: error: overlay no longer applies: it replaces `## Voice`, which skill:tone-guide@2.0.0 no longer has, so the section would be appended instead. Rename the heading to match the skill's (`Tone`), or pin the skill [solo]",
      "agent.yaml:5: warning: uses claude-sonnet-4-5 (via `default`), which is deprecated and retires on 2026-11-30; move to claude-sonnet-5-5 [solo]",
    ]);
  });

  it("finds nothing to say about an agent that resolves cleanly", () => {
    const fine = agent("fine", { "server:crm": "^2.0.0" }, { model: "claude-opus-5-5" });
    expect(checkAgent(fine, createResolver(registry)(fine), registry, "2026-11-24")).toEqual([]);
  });
});
