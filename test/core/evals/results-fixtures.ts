// A small agent, suite and set of graded trials for the results and report tests.
import { buildEvalResults, type EvalResultsInput, type GradedTrial } from "../../../app/core/evals/build-results.ts";
import type { TrialGrade } from "../../../app/core/evals/grade-trial.ts";
import type { AgentUnderTest, EvalSuite, Transcript } from "../../../app/core/evals/model.ts";
import type { EvalResults } from "../../../schemas/eval-results.schema.ts";
import { caseWith, modelCall, transcript } from "./eval-fixtures.ts";

export const agent: AgentUnderTest = {
  agent: { name: "refund-bot", team: "support", tier: "production" },
  variant: { label: "head", ref: "refs/pull/42/head", assets: [{ asset: "server:crm", version: "2.2.0", contentHash: "abc123" }] },
  model: "claude-sonnet-5-5",
  system: null,
  skills: [],
  tools: [],
  runner: { type: "builtin", maxTurns: 10 },
  key: "variant-key-1",
};

export const suite: EvalSuite = {
  path: "evals",
  hash: "suite-hash-1",
  servers: {},
  cases: [
    caseWith([{ type: "tool-called", tool: "crm.refund", args: { amount: 950 } }], { id: "refund-950", tags: ["refunds"], trials: 3 }),
    caseWith([{ type: "not-tool-called", tool: "crm.refund" }], { id: "no-refund-fraud", tags: ["negative"], trials: 3, line: 20 }),
  ],
};

export const passing: TrialGrade = { status: "passed", score: 1, assertions: [{ index: 0, type: "tool-called", passed: true, weight: 1, detail: "a call to crm.refund with {amount: 950}, as expected; calls: crm.refund {amount: 950}." }] };
export const failing: TrialGrade = {
  status: "failed",
  score: 0,
  assertions: [{ index: 0, type: "tool-called", passed: false, weight: 1, detail: "expected a call to crm.refund with {amount: 950}; calls: crm.get_account, crm.refund {amount: 900}." }],
};
export const errored: TrialGrade = { status: "errored", score: 0, assertions: [], error: "Messages API returned 529 overloaded three times" };

/** Graded trials: `statuses[case][trial]`, each with its own transcript (1,000 input / 200 output tokens of Sonnet 5.5). */
export function trialsOf(statuses: Record<string, readonly TrialGrade[]>, options: { cached?: boolean; run?: Partial<Transcript> } = {}) {
  const trials: GradedTrial[] = [];
  const transcripts: Record<string, Transcript> = {};
  for (const [id, grades] of Object.entries(statuses)) {
    grades.forEach((grade, trial) => {
      const key = `t-${id}-${trial}`;
      trials.push({ case: id, trial, transcript: key, cached: options.cached ?? false, grade });
      transcripts[key] = transcript({
        latencyMs: 1000 * (trial + 1),
        modelCalls: [modelCall("claude-sonnet-5-5")],
        output: grade.status === "failed" ? "I have refunded $900 <b>now</b> — see `ticket`." : "Refunded $950.",
        ...(grade.status === "errored" ? { stop: "error" as const, error: grade.error! } : {}),
        ...options.run,
      });
    });
  }
  return { trials, transcripts };
}

export function resultsWith(overrides: Partial<EvalResultsInput> & Pick<EvalResultsInput, "trials" | "transcripts">): EvalResults {
  return buildEvalResults({
    agent,
    suite,
    problems: [],
    complete: true,
    thresholds: { minPassRate: 0.9, source: ".github/blastgate.yml: tiers.production.minPassRate" },
    manifest: { repo: "acme/refund-bot", path: "agent.yaml" },
    ...overrides,
  });
}
