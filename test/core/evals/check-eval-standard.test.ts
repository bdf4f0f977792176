import { describe, expect, it } from "vitest";
import { checkEvalStandard, type EvalStandard } from "../../../app/core/evals/check-eval-standard.ts";
import type { EvalCase, EvalSuite } from "../../../app/core/evals/model.ts";
import { formatProblem } from "../../../app/core/report/render-text.ts";
import { defaultGatePolicy } from "../../../app/core/gate/parse-gate-policy.ts";

function evalCase(id: string, types: string[], tags: string[] = []): EvalCase {
  return {
    id, file: "evals/a.yaml", line: 1, input: "hi", tags, trials: 1, threshold: 1, mocks: {},
    assertions: types.map((type, index) => ({
      assertion: (type.includes("tool") ? { type, tool: "crm.get_case", weight: 1 } : { type, value: "x", weight: 1 }) as EvalCase["assertions"][number]["assertion"],
      index,
      line: 1,
    })),
  };
}

function suite(cases: EvalCase[]): EvalSuite {
  return { path: "evals", cases, servers: {}, hash: "h" };
}

const at = { repo: "agents/triage", path: "agent.yaml", line: 14, agent: "triage" };
const strict: EvalStandard = { appliesTo: ["production", "staging"], minCases: 3, requireTrajectoryAssertions: true, requireNegativeCases: true };

describe("checkEvalStandard", () => {
  it("reports each shortfall of a covered tier at agent.yaml's suite line", () => {
    expect(checkEvalStandard(suite([evalCase("a", ["contains"]), evalCase("b", ["rubric"])]), "staging", strict, at).map(formatProblem)).toEqual([
      "agent.yaml:14: error: the eval suite in evals has 2 cases; the gate policy's `evalStandard.minCases` asks staging agents for at least 3. Add 1 more [triage]",
      "agent.yaml:14: error: the eval suite in evals never checks tool use; the gate policy's `evalStandard.requireTrajectoryAssertions` asks staging agents for at least one `tool-called`, `tool-not-called`, `tool-sequence` or `max-tool-calls` assertion [triage]",
      "agent.yaml:14: error: the eval suite in evals has no case tagged `negative` (one where the agent must refuse or not act); the gate policy's `evalStandard.requireNegativeCases` asks staging agents for one. Add such a case with `tags: [negative]` [triage]",
    ]);
  });

  it.each([
    ["tool-called"], ["not-tool-called"], ["tool-not-called"], ["tool-sequence"], ["max-tool-calls"],
  ])("counts a `%s` assertion as a check of tool use", (type) => {
    const cases = [evalCase("a", ["contains"]), evalCase("b", [type], ["negative"]), evalCase("c", ["rubric"])];
    expect(checkEvalStandard(suite(cases), "production", strict, at)).toEqual([]);
  });

  it("asks nothing of a tier the standard does not apply to, nor negative cases unless required", () => {
    expect(checkEvalStandard(suite([]), "experimental", strict, at)).toEqual([]);
    const defaults = defaultGatePolicy().evalStandard;
    const ten = Array.from({ length: 10 }, (_, i) => evalCase(`c${i}`, i === 0 ? ["max-tool-calls"] : ["contains"]));
    expect([defaults.appliesTo, checkEvalStandard(suite(ten), "production", defaults, at)]).toEqual([["production"], []]);
    expect(checkEvalStandard(suite(ten.slice(1)), "production", defaults, at).map((p) => p.code)).toEqual(["below-standard", "below-standard"]);
  });
});
