import { describe, expect, it } from "vitest";
import { validateOrg } from "../../../app/core/registry/build-affected-report.ts";
import { computeBlastRadius } from "../../../app/core/registry/compute-blast-radius.ts";
import { formatProblem } from "../../../app/core/report/render-text.ts";
import { agent, defaultModels, state, tags, tree, type VersionsSpec } from "../../helpers/facts.ts";

const published: VersionsSpec = {
  "server:ticketing": { "4.0.0": {}, "4.1.0": {} },
  "server:crm": { "2.1.0": {} },
  "skill:tone-guide": { "1.0.0": {} },
};

function validate(ranges: Record<string, string>, headTree: Parameters<typeof tree>[0] = {}) {
  return validateOrg({ tags: tags(published), tree: tree(headTree, defaultModels, "head"), agents: [agent("support", ranges)], loadProblems: [], today: "2026-01-01" }).map(formatProblem);
}

describe("a requirement on an asset that does not exist", () => {
  it("suggests the published asset of the same kind a typo away, and never says to widen a range", () => {
    expect(validate({ "server:tickting": "^4.0.0", "skill:tone-guide": "^1.0.0" })).toEqual([
      "agent.yaml:1: error: is unsatisfiable: no version of server:tickting satisfies `^4.0.0` from agent.yaml; server:tickting does not exist in the registry; did you mean `server:ticketing`? [support]",
    ]);
  });

  it("suggests nothing across kinds or beyond a typo, and says how to fix it", () => {
    expect(validate({ "skill:ticketing": "^4.0.0", "server:billing": "^1.0.0" })).toEqual([
      "agent.yaml:1: error: is unsatisfiable: no version of skill:ticketing satisfies `^4.0.0` from agent.yaml; skill:ticketing does not exist in the registry; fix the name, or publish the asset first [support]",
      "agent.yaml:2: error: is unsatisfiable: no version of server:billing satisfies `^1.0.0` from agent.yaml; server:billing does not exist in the registry; fix the name, or publish the asset first [support]",
    ]);
  });

  it("suggests the likely name for an asset's own requirement too", () => {
    expect(validate({}, { "skill:escalation": ["1.0.0", { requires: { "server:tickting": "^4.0.0" } }] })).toEqual([
      "skills/escalation/SKILL.md:1: error: skill:escalation requires server:tickting, but server:tickting does not exist in the registry; did you mean `server:ticketing`?",
    ]);
  });

  it("suggests the new name when a change renames the asset an agent uses", () => {
    const base = { ...published, "server:tickting": { "4.0.0": {} } };
    const result = computeBlastRadius(state(base), state(published), [agent("support", { "server:tickting": "^4.0.0" })]);
    expect(result.problems.map(formatProblem)).toEqual([
      "agent.yaml:1: error: becomes unsatisfiable at head: no version of server:tickting satisfies `^4.0.0` from agent.yaml; server:tickting does not exist in the registry; did you mean `server:ticketing`? [support]",
    ]);
  });
});
