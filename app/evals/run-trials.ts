// Runs the trials of one or more variants of an agent and grades them: the loop the CLI, the
// action and (later) the gate's base-vs-head comparison share. A variant is an agent under
// test with its suite and runner; two variants are two entries of the same list.
import { createBudget, type Budget, type Reservation } from "../core/evals/budget.ts";
import type { CostEstimate } from "../core/evals/estimate-cost.ts";
import { gradeTrial } from "../core/evals/grade-trial.ts";
import { answerText, buildJudgeRequest, judgeModelFor, parseJudgeAnswer } from "../core/evals/judge.ts";
import type { AgentUnderTest, EvalCase, EvalSuite, Judgement, Runner, Transcript } from "../core/evals/model.ts";
import { planTrials, type PlannedTrial } from "../core/evals/plan-trials.ts";
import { costOf } from "../core/evals/prices.ts";
import { judgeKey, trialKey } from "../core/evals/trial-key.ts";
import type { GradedTrial } from "../core/evals/build-results.ts";
import { transcriptSchema, type ModelCall } from "../../schemas/transcript.schema.ts";
import { canonicalJson } from "../core/evals/canonical-json.ts";
import { buildWarmupRequest } from "../core/evals/build-request.ts";
import { sha256Hex } from "./hash.ts";
import type { MessagesClient } from "./messages-client.ts";
import type { ResultStore } from "./result-store.ts";

export interface VariantToRun {
  readonly agent: AgentUnderTest;
  readonly suite: EvalSuite;
  readonly runner: Runner;
}

export interface RunTrialsOptions {
  /** For the rubric judge and the cache warm-up; null when offline (a replay): judgements must then come from the store. */
  readonly client: MessagesClient | null;
  readonly store: ResultStore;
  readonly seed: number;
  /** Overrides every case's trial count. */
  readonly trials?: number;
  /** Spend cap in USD for the whole run (all variants); with `estimate`, trials reserve their estimated cost. */
  readonly budgetUsd?: number;
  readonly estimate?: CostEstimate;
  /** Trials in flight at once; the client paces the API itself. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export interface VariantRun {
  readonly trials: GradedTrial[];
  readonly transcripts: Record<string, Transcript>;
  readonly judgeCalls: ModelCall[];
  readonly complete: boolean;
  readonly stoppedBy?: "budget";
  /** Trials planned for this variant (cached ones included). */
  readonly planned: number;
}

/**
 * 1. Plan every trial of every variant in one seeded, interleaved order.
 * 2. Serve what the store holds (same content address); warm the prompt cache once per
 *    variant that has live builtin trials, so trials read the cached prefix instead of each writing it.
 * 3. Run the rest, a few at a time, each reserving its estimated cost from the budget; once
 *    the budget says `over`, no new trial starts and the run is marked partial.
 * 4. Judge rubric assertions (their answers are stored too), grade, and return per variant.
 */
export async function runTrials(variants: readonly VariantToRun[], options: RunTrialsOptions): Promise<VariantRun[]> {
  const plan = planTrials(variants, options.seed, options.trials);
  const runs = variants.map((): { trials: GradedTrial[]; transcripts: Record<string, Transcript>; judgeCalls: ModelCall[]; planned: number } => ({ trials: [], transcripts: {}, judgeCalls: [], planned: 0 }));
  for (const planned of plan) runs[planned.variant]!.planned++;
  const budget = createBudget(options.budgetUsd ?? Number.POSITIVE_INFINITY);
  const trialUsd = trialCostOf(options.estimate);

  // 2. What is already paid for.
  const cached = new Map<PlannedTrial, Transcript>();
  const keys = new Map<PlannedTrial, string>();
  for (const planned of plan) {
    const agent = variants[planned.variant]!.agent;
    const key = trialKey(agent, planned.case, planned.trial, sha256Hex);
    keys.set(planned, key);
    const transcript = await options.store.readTranscript(key, { caseId: planned.case.id, trial: planned.trial });
    if (transcript) cached.set(planned, transcript);
  }
  const live = plan.filter((planned) => !cached.has(planned));
  if (options.client) {
    const warm = new Set(live.filter((planned) => variants[planned.variant]!.agent.runner.type === "builtin").map((planned) => planned.variant));
    for (const index of warm) {
      const answered = await options.client.create(buildWarmupRequest(variants[index]!.agent), options.signal).catch(() => null);
      if (answered) runs[index]!.judgeCalls.push(describeCall(answered.message, answered.latencyMs));
    }
  }

  // 3. The live trials, in plan order, through the budget.
  const done = new Map<PlannedTrial, Transcript>(cached);
  let stopped = false;
  // Workers the budget told to wait, woken together when any trial settles.
  let waiting: (() => void)[] = [];
  const nextSettle = () => new Promise<void>((resolve) => waiting.push(resolve));
  const settled = () => {
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
  const queue = [...live];
  const worker = async () => {
    for (;;) {
      if (stopped || options.signal?.aborted) return;
      const planned = queue[0];
      if (planned === undefined) return;
      const reserved = reserve(budget, trialUsd(planned, variants));
      if (reserved === "over") {
        stopped = true;
        return;
      }
      if (reserved === "wait") {
        await nextSettle();
        continue;
      }
      queue.shift();
      const variant = variants[planned.variant]!;
      // As the store gives it back (canonical JSON, schema defaults applied), so a replay judges exactly what a live run judged.
      const transcript = transcriptSchema.parse(JSON.parse(canonicalJson(await variant.runner.run(variant.agent, { case: planned.case, trial: planned.trial }, options.signal))));
      budget.settle(reserved, costOf(transcript.modelCalls).usd);
      settled();
      await options.store.writeTranscript(keys.get(planned)!, { caseId: planned.case.id, trial: planned.trial }, transcript);
      done.set(planned, transcript);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));

  // 4. Judge and grade what ran, in plan order.
  for (const planned of plan) {
    const transcript = done.get(planned);
    if (!transcript) continue;
    const variant = variants[planned.variant]!;
    const run = runs[planned.variant]!;
    const key = keys.get(planned)!;
    const judgements = await judge(variant, planned, transcript, options, run.judgeCalls);
    const grade = gradeTrial(planned.case, transcript, { costUsd: costOf(transcript.modelCalls).usd, judgements });
    run.transcripts[key] = transcript;
    run.trials.push({ case: planned.case.id, trial: planned.trial, transcript: key, cached: cached.has(planned), grade });
  }
  // Complete when every planned trial ran; a variant cut short by the budget says so (an abort leaves it incomplete, with no budget blamed).
  const byBudget = budget.state().stopped;
  return runs.map((run) => {
    const complete = run.trials.length === run.planned;
    return { ...run, complete, ...(!complete && byBudget ? { stoppedBy: "budget" as const } : {}) };
  });
}

function reserve(budget: Budget, usd: number): Reservation | "wait" | "over" {
  const outcome = budget.reserve(usd);
  return outcome.kind === "ok" ? outcome.reservation : outcome.kind;
}

/** The budget's reservation for one trial: the estimate's per-trial cost of its case, else nothing (no estimate, no cap to reserve against). */
function trialCostOf(estimate: CostEstimate | undefined): (planned: PlannedTrial, variants: readonly VariantToRun[]) => number {
  if (!estimate) return () => 0;
  const byVariant = estimate.breakdown.variants.map((variant) => new Map(variant.cases.map((entry) => [entry.id, entry.trialUsd])));
  return (planned) => byVariant[planned.variant]?.get(planned.case.id) ?? 0;
}

/** Rubric assertions of a trial, each judged once per content address (stored like transcripts). */
async function judge(variant: VariantToRun, planned: PlannedTrial, transcript: Transcript, options: RunTrialsOptions, calls: ModelCall[]): Promise<Map<number, Judgement>> {
  const judgements = new Map<number, Judgement>();
  if (transcript.stop === "error" || transcript.stop === "timeout") return judgements;
  for (const located of rubricsOf(planned.case)) {
    const assertion = located.assertion as { value: string; model?: string };
    const request = buildJudgeRequest(assertion.value, planned.case, transcript, judgeModelFor(assertion, variant.suite, variant.agent.model));
    const key = judgeKey(request, sha256Hex);
    const ref = { caseId: planned.case.id, trial: planned.trial };
    let message = await options.store.readJudgement(key, ref);
    if (!message && options.client) {
      try {
        const answered = await options.client.create(request, options.signal);
        message = answered.message;
        calls.push(describeCall(answered.message, answered.latencyMs));
        await options.store.writeJudgement(key, ref, message);
      } catch {
        // Not judged: the assertion fails and says so; the run goes on.
        message = undefined;
      }
    }
    if (!message) continue;
    const parsed = parseJudgeAnswer(answerText(message));
    if ("error" in parsed) continue;
    judgements.set(located.index, parsed);
  }
  return judgements;
}

function rubricsOf(evalCase: EvalCase) {
  return evalCase.assertions.filter((located) => located.assertion.type === "rubric" || located.assertion.type === "not-rubric");
}

function describeCall(message: { model: string; stop_reason: string | null; usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null } }, latencyMs: number): ModelCall {
  return {
    model: message.model,
    latencyMs,
    stopReason: message.stop_reason,
    usage: {
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
      cacheCreationInputTokens: message.usage.cache_creation_input_tokens ?? 0,
      cacheReadInputTokens: message.usage.cache_read_input_tokens ?? 0,
    },
  };
}
