import { z } from "zod";
import { problemSchema } from "./affected-report.schema.ts";
import { transcriptSchema, usageSchema } from "./transcript.schema.ts";

const assertionOutcome = z.strictObject({
  index: z.int().min(0).meta({ description: "The assertion's position in the case's list (defaults first)." }),
  type: z.string(),
  passed: z.boolean(),
  weight: z.number().min(0),
  detail: z.string().meta({ description: "Why it passed or failed, in a sentence." }),
  score: z.number().min(0).max(1).optional().meta({ description: "The judge's score, for rubric assertions." }),
});

const trialResult = z.strictObject({
  trial: z.int().min(0),
  status: z.enum(["passed", "failed", "errored"]).meta({ description: "`errored`: the run failed before anything could be graded." }),
  score: z.number().min(0).max(1).meta({ description: "Share of assertion weight that passed." }),
  assertions: z.array(assertionOutcome),
  transcript: z.string().meta({ description: "Key of the trial's transcript in `transcripts` (its content address)." }),
  cached: z.boolean().meta({ description: "Served from the result cache or a cassette, not paid for in this run." }),
  costUsd: z.number().min(0),
  latencyMs: z.number().min(0),
  error: z.string().optional(),
});

const caseResult = z.strictObject({
  id: z.string(),
  file: z.string().meta({ description: "The suite file the case is in, relative to the agent repo." }),
  line: z.int().min(1),
  tags: z.array(z.string()),
  trials: z.array(trialResult),
  passRate: z.number().min(0).max(1).meta({ description: "Passed trials over graded trials (errored ones count as failed)." }),
  passAtK: z.number().min(0).max(1).meta({ description: "pass@k: the chance that at least one of k trials passes (k = trials run)." }),
  passPowK: z.number().min(0).max(1).meta({ description: "pass^k: the chance that all k trials pass." }),
});

export const usageTotalsSchema = z.strictObject({
  requests: z.int().min(0),
  ...usageSchema.shape,
});

/** One variant (one agent at one registry ref) of one suite run: what `blastgate eval --out` writes. */
export const evalResultsSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    agent: z.strictObject({ name: z.string(), team: z.string(), tier: z.enum(["production", "staging", "experimental"]) }),
    variant: z.strictObject({
      label: z.string().meta({ description: "`head`, `base`, or the ref given with `--ref`." }),
      ref: z.string().meta({ description: "The registry ref the agent was resolved at." }),
      model: z.string().meta({ description: "The model id the agent ran with." }),
      assets: z
        .array(z.strictObject({ asset: z.string(), version: z.string(), contentHash: z.string() }))
        .meta({ description: "The resolved servers and skills." }),
      key: z.string().meta({ description: "Content address of everything the variant runs with (agent, assets, model, suite)." }),
    }),
    runner: z.enum(["builtin", "command"]),
    seed: z.int().min(0).optional().meta({ description: "Seed of the order trials were started in (interleaved across variants)." }),
    suite: z.strictObject({ path: z.string(), hash: z.string(), cases: z.int().min(0) }),
    complete: z.boolean().meta({ description: "False when the run stopped early (`stoppedBy` says why); counts cover what ran." }),
    stoppedBy: z.enum(["budget"]).optional(),
    summary: z.strictObject({
      cases: z.int().min(0),
      trials: z.int().min(0),
      passed: z.int().min(0),
      failed: z.int().min(0),
      errored: z.int().min(0),
      passRate: z.number().min(0).max(1).meta({ description: "Passed case-trials over all case-trials run." }),
    }),
    usage: usageTotalsSchema,
    costUsd: z.number().min(0).meta({ description: "What this run paid (cached trials cost nothing)." }),
    estimatedCostUsd: z.number().min(0).optional().meta({ description: "The estimate made before spending." }),
    latencyMs: z.strictObject({ total: z.number().min(0), p50: z.number().min(0), p95: z.number().min(0) }),
    cases: z.array(caseResult),
    transcripts: z.record(z.string(), transcriptSchema),
    verdict: z.strictObject({
      result: z.enum(["pass", "fail", "error"]),
      minPassRate: z.number().min(0).max(1),
      source: z.string().meta({ description: "Where the threshold comes from: agent.yaml or the gate policy's tier." }),
      reasons: z.array(z.string()),
    }),
    problems: z.array(
      problemSchema.extend({ file: z.string().optional().meta({ description: "The file as the reader shows it (the command line: relative to its working directory)." }) }),
    ),
  })
  .meta({
    title: "blastgate eval results",
    description: "One agent's eval suite run in one variant: per case, trial and assertion, with usage, cost and a verdict.",
  });
export type EvalResults = z.infer<typeof evalResultsSchema>;
