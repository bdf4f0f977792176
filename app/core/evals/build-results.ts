// Assembles one variant's eval results — per case and trial, usage, cost, latency and the
// verdict against the pass-rate bar — from graded trials. Also decides that bar.
import type { AgentManifest } from "../../../schemas/agent.schema.ts";
import type { EvalResults } from "../../../schemas/eval-results.schema.ts";
import type { GateConfig } from "../../../schemas/gate-config.schema.ts";
import type { ModelCall } from "../../../schemas/transcript.schema.ts";
import { codeSpan } from "../code-span.ts";
import { problemAt, sortProblems, type Problem, type SourceLocation } from "../problems.ts";
import { plural } from "../report/plural.ts";
import { GATE_POLICY_FILE } from "../registry/layout.ts";
import type { TrialGrade } from "./grade-trial.ts";
import type { AgentUnderTest, EvalSuite, Transcript } from "./model.ts";
import { costOf, priceOf } from "./prices.ts";
import { latencySummary, reduceCase, summarize, usageTotals } from "./reduce.ts";

/** The pass rate a variant must reach, and where that number comes from (shown in the verdict). */
export interface VerdictThresholds {
  readonly minPassRate: number;
  readonly source: string;
}

/** One graded trial, with its transcript's key and whether it was paid for in this run. */
export interface GradedTrial {
  /** The case's id. */
  readonly case: string;
  readonly trial: number;
  /** Key of the trial's transcript in `transcripts`. */
  readonly transcript: string;
  /** Served from the result cache or a cassette: not paid for in this run. */
  readonly cached: boolean;
  readonly grade: TrialGrade;
}

/** Everything a variant's results are made from. */
export interface EvalResultsInput {
  readonly agent: AgentUnderTest;
  readonly suite: EvalSuite;
  readonly trials: readonly GradedTrial[];
  readonly transcripts: Readonly<Record<string, Transcript>>;
  /** The rubric judge's model calls made in this run (they count in usage and cost). */
  readonly judgeCalls?: readonly ModelCall[];
  readonly problems: readonly Problem[];
  /** False when the run stopped before every planned trial ran. */
  readonly complete: boolean;
  readonly stoppedBy?: "budget";
  readonly estimatedCostUsd?: number;
  readonly thresholds: VerdictThresholds;
  /** The agent's manifest: where warnings about the run itself point (a model with no known price). */
  readonly manifest: SourceLocation;
}

/** A bug in the caller (a trial of an unknown case, a missing transcript), never a user's mistake. */
export class EvalResultsInputError extends Error {
  override readonly name = "EvalResultsInputError";
}

/** Slack for comparing rates that are ratios of counts against a configured decimal. */
const EPSILON = 1e-9;

/**
 * Builds the results of one variant's run.
 *
 * 1. Trials are grouped under the suite's cases, in suite order, trials in order; cases
 *    that ran no trial (a run stopped early) are left out, as every count covers what ran.
 * 2. Each trial's cost is its model calls' price; the run's usage and cost count only
 *    trials paid for in this run (not cached ones) and the judge's calls.
 * 3. The verdict: `error` when a problem is an error or nothing could be graded; else
 *    `fail` when the pass rate is below the bar or the run is partial; else `pass`.
 */
export function buildEvalResults(input: EvalResultsInput): EvalResults {
  const caseIds = new Set(input.suite.cases.map((c) => c.id));
  for (const trial of input.trials) {
    if (!caseIds.has(trial.case)) throw new EvalResultsInputError(`trial ${trial.trial} is of case ${trial.case}, which the suite does not have`);
    if (!Object.hasOwn(input.transcripts, trial.transcript)) throw new EvalResultsInputError(`trial ${trial.trial} of case ${trial.case} names transcript ${trial.transcript}, which was not given`);
  }
  const transcriptOf = (trial: GradedTrial) => input.transcripts[trial.transcript]!;

  const cases = input.suite.cases.flatMap((evalCase) => {
    const trials = input.trials.filter((trial) => trial.case === evalCase.id).sort((a, b) => a.trial - b.trial);
    if (trials.length === 0) return [];
    return [
      {
        id: evalCase.id,
        file: evalCase.file,
        line: evalCase.line,
        tags: [...evalCase.tags],
        trials: trials.map((trial) => {
          const transcript = transcriptOf(trial);
          return {
            trial: trial.trial,
            status: trial.grade.status,
            score: trial.grade.score,
            assertions: [...trial.grade.assertions],
            transcript: trial.transcript,
            cached: trial.cached,
            costUsd: costOf(transcript.modelCalls).usd,
            latencyMs: transcript.latencyMs,
            ...(trial.grade.error === undefined ? {} : { error: trial.grade.error }),
          };
        }),
        ...reduceCase(trials.map((trial) => trial.grade.status)),
      },
    ];
  });

  const paidCalls = [...input.trials.filter((trial) => !trial.cached).flatMap((trial) => transcriptOf(trial).modelCalls), ...(input.judgeCalls ?? [])];
  const cost = costOf(paidCalls);
  const problems = sortProblems([...input.problems, ...cost.unknownModels.map((model) => unpricedModel(model, input.manifest, input.agent.agent.name))]);
  const summary = summarize(cases);
  const planned = input.suite.cases.reduce((sum, c) => sum + c.trials, 0);
  const transcripts = Object.fromEntries([...new Set(input.trials.map((trial) => trial.transcript))].sort().map((key) => [key, input.transcripts[key]!]));

  return {
    schemaVersion: 1,
    agent: { name: input.agent.agent.name, team: input.agent.agent.team, tier: input.agent.agent.tier },
    variant: {
      label: input.agent.variant.label,
      ref: input.agent.variant.ref,
      model: input.agent.model,
      assets: input.agent.variant.assets.map((asset) => ({ ...asset })),
      key: input.agent.key,
    },
    runner: input.agent.runner.type,
    suite: { path: input.suite.path, hash: input.suite.hash, cases: input.suite.cases.length },
    complete: input.complete,
    ...(input.stoppedBy === undefined ? {} : { stoppedBy: input.stoppedBy }),
    summary,
    usage: usageTotals(paidCalls),
    costUsd: cost.usd,
    ...(input.estimatedCostUsd === undefined ? {} : { estimatedCostUsd: input.estimatedCostUsd }),
    latencyMs: latencySummary(input.trials.map((trial) => transcriptOf(trial).latencyMs)),
    cases,
    transcripts,
    verdict: decideVerdict({ summary, problems, complete: input.complete, stoppedBy: input.stoppedBy, planned, thresholds: input.thresholds, firstError: firstError(cases) }),
    problems,
  };
}

function unpricedModel(model: string, manifest: SourceLocation, agent: string): Problem {
  const { price } = priceOf(model);
  return problemAt(
    manifest,
    1,
    "warning",
    "unknown-model-price",
    `ran with the model ${codeSpan(model)}, which has no price in blastgate's table; its cost was counted at $${price.input} / $${price.output} per million input / output tokens (the dearest known ${price.family} rate), so the reported cost may be too high; update blastgate when the model is new, or check the model id`,
    agent,
  );
}

function firstError(cases: EvalResults["cases"]): string | undefined {
  for (const c of cases) for (const trial of c.trials) if (trial.status === "errored") return `${c.id} trial ${trial.trial}: ${trial.error ?? "no error given"}`;
  return undefined;
}

interface VerdictFacts {
  readonly summary: EvalResults["summary"];
  readonly problems: readonly Problem[];
  readonly complete: boolean;
  readonly stoppedBy: "budget" | undefined;
  readonly planned: number;
  readonly thresholds: VerdictThresholds;
  readonly firstError: string | undefined;
}

/** A rate as a percentage, to one decimal where it needs one: `90%`, `91.7%`. */
export function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(1))}%`;
}

function decideVerdict(facts: VerdictFacts): EvalResults["verdict"] {
  const { summary, thresholds } = facts;
  const base = { minPassRate: thresholds.minPassRate, source: thresholds.source };
  const partial = facts.complete ? [] : [`partial: stopped by ${facts.stoppedBy ?? "an early stop"} after ${summary.trials} of ${plural(facts.planned, "trial")}`];

  const errors = facts.problems.filter((problem) => problem.level === "error");
  if (errors.length > 0) {
    const listed = errors.slice(0, 5).map((problem) => `${problem.path}:${problem.line}: ${problem.message}`);
    if (errors.length > 5) listed.push(`…and ${errors.length - 5} more errors`);
    return { ...base, result: "error", reasons: [...listed, ...partial] };
  }
  if (summary.trials === 0) return { ...base, result: "error", reasons: ["no trial ran, so there is nothing to grade", ...partial] };
  if (summary.errored === summary.trials) {
    return { ...base, result: "error", reasons: [`every trial errored (${summary.errored} of ${summary.trials}), so nothing could be graded; the first: ${facts.firstError}`, ...partial] };
  }

  const rate = `pass rate ${percent(summary.passRate)} (${summary.passed} of ${plural(summary.trials, "trial")})`;
  const bar = `the required ${percent(thresholds.minPassRate)} (${thresholds.source})`;
  const below = summary.passRate + EPSILON < thresholds.minPassRate;
  const errored = summary.errored > 0 ? [`${summary.errored} of ${plural(summary.trials, "trial")} errored and count as failed`] : [];
  const reasons = [below ? `${rate} is below ${bar}` : `${rate} meets ${bar}`, ...partial, ...errored];
  return { ...base, result: below || !facts.complete ? "fail" : "pass", reasons };
}

/** Where the agent's manifest is, and the line of `evals.thresholds.passRate` in it (1 when absent). */
export interface ManifestAt {
  readonly source: SourceLocation;
  readonly passRateLine: number;
}

/**
 * The pass-rate bar for an agent: its tier's `minPassRate` from the gate policy, or the
 * agent's own `evals.thresholds.passRate` when that is stricter. A looser one does not
 * apply: the tier's bar does, with a warning saying so.
 */
export function thresholdsFor(
  manifest: Pick<AgentManifest, "name" | "tier" | "evals">,
  tiers: GateConfig["tiers"],
  at: ManifestAt,
): { readonly thresholds: VerdictThresholds; readonly problems: readonly Problem[] } {
  const tierBar = tiers[manifest.tier].minPassRate;
  const tierSource = `${GATE_POLICY_FILE}: tiers.${manifest.tier}.minPassRate`;
  const own = manifest.evals?.thresholds.passRate;
  if (own === undefined) return { thresholds: { minPassRate: tierBar, source: tierSource }, problems: [] };
  if (own >= tierBar) return { thresholds: { minPassRate: own, source: `${at.source.path}: evals.thresholds.passRate` }, problems: [] };
  const problem = problemAt(
    at.source,
    at.passRateLine,
    "warning",
    "threshold-looser",
    `sets \`evals.thresholds.passRate\` to ${own}, below the ${manifest.tier} tier's \`minPassRate\` of ${tierBar} in ${GATE_POLICY_FILE}; an agent may only raise the bar, so ${tierBar} applies. Set it to at least ${tierBar}, or remove it`,
    manifest.name,
  );
  return { thresholds: { minPassRate: tierBar, source: tierSource }, problems: [problem] };
}
