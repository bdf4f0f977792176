// The org's eval standard (gate policy `evalStandard`): what a suite of an agent of a covered tier must hold.
import type { AgentManifest } from "../../../schemas/agent.schema.ts";
import type { GateConfig } from "../../../schemas/gate-config.schema.ts";
import { problemAt, type Problem, type SourceLocation } from "../problems.ts";
import type { EvalSuite } from "./model.ts";

export type EvalStandard = GateConfig["evalStandard"];

/** Where a suite-wide shortfall is reported: agent.yaml's `evals.suite` line, as a rule. */
export interface StandardPlace extends SourceLocation {
  readonly line: number;
  readonly agent?: string;
}

/** Assertion types that check what the agent did, not only what it said. */
const TRAJECTORY_TYPES = new Set(["tool-called", "tool-not-called", "tool-sequence", "max-tool-calls"]);

/**
 * Checks a suite against the gate policy's eval standard, when the agent's tier is one it
 * applies to: enough cases, assertions on tool use, cases where the agent must not act.
 * Each shortfall is a `below-standard` error saying what is missing and how to add it.
 */
export function checkEvalStandard(suite: EvalSuite, tier: AgentManifest["tier"], standard: EvalStandard, at: StandardPlace): Problem[] {
  if (!standard.appliesTo.includes(tier)) return [];
  const problems: Problem[] = [];
  const fail = (message: string) => problems.push(problemAt(at, at.line, "error", "below-standard", message, at.agent));
  const count = suite.cases.length;
  if (count < standard.minCases) {
    fail(`the eval suite in ${suite.path} has ${count} case${count === 1 ? "" : "s"}; the gate policy's \`evalStandard.minCases\` asks ${tier} agents for at least ${standard.minCases}. Add ${standard.minCases - count} more`);
  }
  if (standard.requireTrajectoryAssertions && !suite.cases.some((evalCase) => evalCase.assertions.some(({ assertion }) => isTrajectory(assertion.type)))) {
    fail(`the eval suite in ${suite.path} never checks tool use; the gate policy's \`evalStandard.requireTrajectoryAssertions\` asks ${tier} agents for at least one \`tool-called\`, \`tool-not-called\`, \`tool-sequence\` or \`max-tool-calls\` assertion`);
  }
  if (standard.requireNegativeCases && !suite.cases.some((evalCase) => evalCase.tags.includes("negative"))) {
    fail(`the eval suite in ${suite.path} has no case tagged \`negative\` (one where the agent must refuse or not act); the gate policy's \`evalStandard.requireNegativeCases\` asks ${tier} agents for one. Add such a case with \`tags: [negative]\``);
  }
  return problems;
}

function isTrajectory(type: string): boolean {
  return TRAJECTORY_TYPES.has(type.replace(/^not-/, ""));
}
