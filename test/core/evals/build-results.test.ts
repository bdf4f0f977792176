import { describe, expect, it } from "vitest";
import { buildEvalResults, EvalResultsInputError, thresholdsFor } from "../../../app/core/evals/build-results.ts";
import { defaultGatePolicy } from "../../../app/core/gate/parse-gate-policy.ts";
import { evalResultsSchema } from "../../../schemas/eval-results.schema.ts";
import { modelCall } from "./eval-fixtures.ts";
import { agent, errored, failing, passing, resultsWith, suite, trialsOf } from "./results-fixtures.ts";

const allPass = { "refund-950": [passing, passing, passing], "no-refund-fraud": [passing, passing, passing] };

describe("buildEvalResults", () => {
  it("builds results the schema accepts, with per-case reducers, usage, cost and latency", () => {
    const results = resultsWith(trialsOf({ "refund-950": [passing, failing, passing], "no-refund-fraud": [passing, passing, passing] }));
    expect(evalResultsSchema.safeParse(results).error).toBeUndefined();
    expect(results.summary).toEqual({ cases: 2, trials: 6, passed: 5, failed: 1, errored: 0, passRate: 5 / 6 });
    expect(results.cases.map(({ id, passRate, passAtK, passPowK }) => ({ id, passRate, passAtK, passPowK }))).toEqual([
      { id: "refund-950", passRate: 2 / 3, passAtK: 1, passPowK: 0 },
      { id: "no-refund-fraud", passRate: 1, passAtK: 1, passPowK: 1 },
    ]);
    expect(results.usage).toEqual({ requests: 6, inputTokens: 6000, outputTokens: 1200, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 });
    // Sonnet 5.5: 1,000 × $2 + 200 × $10 per million tokens = $0.004 a trial.
    expect(results.costUsd).toBeCloseTo(0.024, 12);
    expect(results.cases[0]!.trials[0]!.costUsd).toBeCloseTo(0.004, 12);
    expect(results.latencyMs).toEqual({ total: 12_000, p50: 2000, p95: 3000 });
    expect(results.runner).toBe("builtin");
    expect(results.variant).toEqual({ label: "head", ref: "refs/pull/42/head", model: "claude-sonnet-5-5", assets: agent.variant.assets, key: "variant-key-1" });
    expect(Object.keys(results.transcripts)).toHaveLength(6);
  });

  it("counts cached trials in the grades but not in what this run paid; the judge's calls are paid", () => {
    const fresh = trialsOf({ "refund-950": [passing] });
    const cached = trialsOf({ "no-refund-fraud": [passing] }, { cached: true });
    const results = resultsWith({
      trials: [...fresh.trials, ...cached.trials],
      transcripts: { ...fresh.transcripts, ...cached.transcripts },
      judgeCalls: [modelCall("claude-haiku-4-5", { inputTokens: 1000, outputTokens: 100 })],
      complete: false,
    });
    expect(results.summary.trials).toBe(2);
    expect(results.usage.requests).toBe(2);
    expect(results.costUsd).toBeCloseTo(0.004 + (1000 * 1 + 100 * 5) / 1e6, 12);
    expect(results.cases[1]!.trials[0]).toMatchObject({ cached: true, costUsd: expect.closeTo(0.004, 12) });
  });

  it("warns about a model with no known price, and still counts its cost", () => {
    const results = resultsWith(trialsOf({ "refund-950": [passing] }, { run: { modelCalls: [modelCall("claude-opus-9", { inputTokens: 1000, outputTokens: 0 })] } }));
    expect(results.costUsd).toBeGreaterThan(0);
    expect(results.problems).toEqual([
      expect.objectContaining({ level: "warning", code: "unknown-model-price", path: "agent.yaml", agent: "refund-bot", message: expect.stringContaining("`claude-opus-9`") }),
    ]);
  });

  it("lists only cases that ran, in suite order, trials in order", () => {
    const { trials, transcripts } = trialsOf({ "no-refund-fraud": [passing, failing] });
    const results = resultsWith({ trials: [...trials].reverse(), transcripts, complete: false, stoppedBy: "budget" });
    expect(results.cases.map((c) => [c.id, c.trials.map((t) => t.trial)])).toEqual([["no-refund-fraud", [0, 1]]]);
    expect(results.suite.cases).toBe(2);
  });

  it("refuses a trial of a case the suite does not have, or without its transcript", () => {
    const { trials, transcripts } = trialsOf({ "refund-950": [passing] });
    expect(() => resultsWith({ trials: [{ ...trials[0]!, case: "nope" }], transcripts })).toThrow(EvalResultsInputError);
    expect(() => resultsWith({ trials, transcripts: {} })).toThrow(/names transcript t-refund-950-0, which was not given/);
  });
});

describe("buildEvalResults verdict", () => {
  const error = { level: "error" as const, code: "schema", repo: "acme/refund-bot", path: "evals/refunds.yaml", line: 7, message: "expected `assert` to be a list" };

  it.each([
    ["every trial passes", { trials: allPass }, "pass", ["pass rate 100% (6 of 6 trials) meets the required 90% (.github/blastgate.yml: tiers.production.minPassRate)"]],
    [
      "the pass rate is exactly the bar",
      { trials: { "refund-950": [passing, passing, passing, passing, passing], "no-refund-fraud": [passing, passing, passing, passing, failing] }, minPassRate: 0.9 },
      "pass",
      ["pass rate 90% (9 of 10 trials) meets the required 90% (.github/blastgate.yml: tiers.production.minPassRate)"],
    ],
    [
      "the pass rate is below the bar",
      { trials: { "refund-950": [passing, failing, failing], "no-refund-fraud": [passing, passing, passing] } },
      "fail",
      ["pass rate 66.7% (4 of 6 trials) is below the required 90% (.github/blastgate.yml: tiers.production.minPassRate)"],
    ],
    [
      "some trials errored",
      { trials: { "refund-950": [passing, errored, passing], "no-refund-fraud": [passing, passing, passing] }, minPassRate: 0.8 },
      "pass",
      ["pass rate 83.3% (5 of 6 trials) meets the required 80% (.github/blastgate.yml: tiers.production.minPassRate)", "1 of 6 trials errored and count as failed"],
    ],
    [
      "the run stopped early, even with every trial passing",
      { trials: { "refund-950": [passing, passing, passing], "no-refund-fraud": [passing] }, complete: false },
      "fail",
      ["pass rate 100% (4 of 4 trials) meets the required 90% (.github/blastgate.yml: tiers.production.minPassRate)", "partial: stopped by budget after 4 of 6 trials"],
    ],
    ["a problem is an error", { trials: allPass, problems: [error] }, "error", ["evals/refunds.yaml:7: expected `assert` to be a list"]],
    [
      "every trial errored",
      { trials: { "refund-950": [errored, errored] } },
      "error",
      ["every trial errored (2 of 2), so nothing could be graded; the first: refund-950 trial 0: Messages API returned 529 overloaded three times"],
    ],
    ["no trial ran", { trials: {}, complete: false }, "error", ["no trial ran, so there is nothing to grade", "partial: stopped by budget after 0 of 6 trials"]],
  ] as const)("is %s → %s", (_name, facts, result, reasons) => {
    const results = resultsWith({
      ...trialsOf(facts.trials),
      ...("complete" in facts ? { complete: facts.complete, stoppedBy: "budget" as const } : {}),
      ...("problems" in facts ? { problems: [...facts.problems] } : {}),
      thresholds: { minPassRate: "minPassRate" in facts ? facts.minPassRate : 0.9, source: ".github/blastgate.yml: tiers.production.minPassRate" },
    });
    expect(results.verdict).toEqual({ result, reasons, minPassRate: "minPassRate" in facts ? facts.minPassRate : 0.9, source: ".github/blastgate.yml: tiers.production.minPassRate" });
    expect(evalResultsSchema.safeParse(results).success).toBe(true);
  });

  it("errs on an error problem whatever the pass rate, and lists at most five", () => {
    const problems = Array.from({ length: 7 }, (_, i) => ({ ...error, line: i + 1 }));
    const results = buildEvalResults({ ...trialsOf(allPass), agent, suite, problems, complete: true, thresholds: { minPassRate: 0, source: "x" }, manifest: { repo: "r", path: "agent.yaml" } });
    expect(results.verdict.result).toBe("error");
    expect(results.verdict.reasons).toHaveLength(6);
    expect(results.verdict.reasons.at(-1)).toBe("…and 2 more errors");
  });
});

describe("thresholdsFor", () => {
  const tiers = defaultGatePolicy().tiers;
  const at = { source: { repo: "acme/refund-bot", path: "agent.yaml" }, passRateLine: 12 };
  const manifest = (passRate?: number) => ({
    name: "refund-bot",
    tier: "production" as const,
    evals: { suite: "evals", runner: { type: "builtin" as const, maxTurns: 10 }, trials: 3, thresholds: passRate === undefined ? {} : { passRate } },
  });

  it("uses the tier's bar when the agent sets none", () => {
    expect(thresholdsFor(manifest(), tiers, at)).toEqual({ thresholds: { minPassRate: 0.9, source: ".github/blastgate.yml: tiers.production.minPassRate" }, problems: [] });
    expect(thresholdsFor({ ...manifest(), evals: undefined, tier: "staging" }, tiers, at).thresholds.minPassRate).toBe(0.8);
  });

  it.each([0.95, 0.9])("uses the agent's stricter or equal bar %s", (passRate) => {
    expect(thresholdsFor(manifest(passRate), tiers, at)).toEqual({ thresholds: { minPassRate: passRate, source: "agent.yaml: evals.thresholds.passRate" }, problems: [] });
  });

  it("keeps the tier's bar over a looser one, with a warning at its line", () => {
    const { thresholds, problems } = thresholdsFor(manifest(0.7), tiers, at);
    expect(thresholds).toEqual({ minPassRate: 0.9, source: ".github/blastgate.yml: tiers.production.minPassRate" });
    expect(problems).toMatchInlineSnapshot(`
      [
        {
          "agent": "refund-bot",
          "code": "threshold-looser",
          "level": "warning",
          "line": 12,
          "message": "sets \`evals.thresholds.passRate\` to 0.7, below the production tier's \`minPassRate\` of 0.9 in .github/blastgate.yml; an agent may only raise the bar, so 0.9 applies. Set it to at least 0.9, or remove it",
          "path": "agent.yaml",
          "repo": "acme/refund-bot",
        },
      ]
    `);
  });
});
