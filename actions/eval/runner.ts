// The blastgate action: inputs → evaluateAgent → job summary, outputs, annotations, artifact.
// Inputs are read inside run(), never at import; the API key is masked before anything logs.
import * as core from "@actions/core";
import { DefaultArtifactClient } from "@actions/artifact";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderEvalMarkdown } from "../../app/core/report/render-eval-markdown.ts";
import { evaluateAgent } from "../../app/evals/evaluate-agent.ts";
import type { StoreMode } from "../../app/evals/result-store.ts";
import { WORKTREE } from "../../app/load/read-registry.ts";

export const ARTIFACT_NAME = "blastgate-results";
const RESULTS_FILE = "eval-results.json";

/** The action's inputs, checked; a bad one is a message saying which input and what it takes. */
interface Inputs {
  readonly registry: string;
  readonly agent: string;
  readonly apiKey: string;
  readonly ref: string;
  readonly trials?: number;
  readonly budgetUsd?: number;
  readonly record: string;
  readonly replay: string;
  readonly batch: boolean;
}

function readInputs(): Inputs | string {
  const apiKey = core.getInput("anthropic-api-key");
  if (apiKey) core.setSecret(apiKey);
  const trials = core.getInput("trials");
  const budget = core.getInput("budget-usd");
  const batch = core.getInput("batch") || "false";
  const record = core.getInput("record");
  const replay = core.getInput("replay");
  if (trials && !/^[1-9]\d*$/.test(trials)) return `input \`trials\` takes a whole number of 1 or more; got \`${trials}\``;
  if (budget && (!/^\d+(\.\d+)?$/.test(budget) || Number(budget) <= 0)) return `input \`budget-usd\` takes an amount in USD above 0, like \`2.50\`; got \`${budget}\``;
  if (batch !== "true" && batch !== "false") return `input \`batch\` takes \`true\` or \`false\`; got \`${batch}\``;
  if (record && replay) return "inputs `record` and `replay` cannot both be set: record a cassette in one run, replay it in another";
  return {
    registry: core.getInput("registry", { required: true }),
    agent: core.getInput("agent") || ".",
    apiKey,
    ref: core.getInput("ref") || WORKTREE,
    ...(trials ? { trials: Number(trials) } : {}),
    ...(budget ? { budgetUsd: Number(budget) } : {}),
    record,
    replay,
    batch: batch === "true",
  };
}

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    if (typeof inputs === "string") return core.setFailed(inputs);
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const temp = process.env.RUNNER_TEMP || tmpdir();
    const at = (dir: string) => path.resolve(workspace, dir);
    const store: StoreMode = inputs.replay
      ? { kind: "replay", dir: at(inputs.replay), shownAs: inputs.replay }
      : inputs.record
        ? { kind: "record", dir: at(inputs.record), shownAs: inputs.record }
        : { kind: "cache", dir: path.join(temp, "blastgate-evals") };
    const outcome = await evaluateAgent({
      agentDir: at(inputs.agent),
      registryDir: at(inputs.registry),
      ref: inputs.ref,
      ...(inputs.trials === undefined ? {} : { trials: inputs.trials }),
      ...(inputs.budgetUsd === undefined ? {} : { budgetUsd: inputs.budgetUsd }),
      store,
      batch: inputs.batch,
      api: { apiKey: inputs.apiKey || undefined, baseURL: process.env.ANTHROPIC_BASE_URL || undefined },
      today: new Date().toISOString().slice(0, 10),
      onWarning: (message) => core.warning(message),
    });

    // Annotations at file:line, relative to the workspace as GitHub shows files.
    for (const problem of outcome.problems) {
      const file = path.relative(workspace, path.join(problem.repo, problem.path));
      const annotate = problem.level === "error" ? core.error : core.warning;
      annotate(problem.message, { file, startLine: problem.line, title: `blastgate: ${problem.code}` });
    }
    if (outcome.results === null) {
      return core.setFailed(`blastgate could not run the suite: ${outcome.problems.length} problem${outcome.problems.length === 1 ? "" : "s"}, annotated above`);
    }
    const results = {
      ...outcome.results,
      problems: outcome.problems.map((problem) => ({ ...problem, repo: path.relative(workspace, problem.repo) || ".", file: path.relative(workspace, path.join(problem.repo, problem.path)) })),
    };
    const dir = path.join(temp, "blastgate-results");
    await mkdir(dir, { recursive: true });
    const resultsPath = path.join(dir, RESULTS_FILE);
    await writeFile(resultsPath, JSON.stringify(results, null, 2) + "\n");
    core.setOutput("verdict", results.verdict.result);
    core.setOutput("results-path", resultsPath);
    await core.summary.addRaw(renderEvalMarkdown(results)).write();
    await uploadResults(resultsPath, dir);
    if (results.verdict.result !== "pass") core.setFailed(`blastgate eval: ${results.verdict.result}: ${results.verdict.reasons.join("; ")}`);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

/** The results file as the artifact `blastgate-results`; where the runtime offers no artifact service (a local run), a warning. */
async function uploadResults(file: string, dir: string): Promise<void> {
  if (!process.env.ACTIONS_RUNTIME_TOKEN || !process.env.ACTIONS_RESULTS_URL) {
    core.warning(`no artifact service here (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL unset): the results stay at ${file}`);
    return;
  }
  try {
    await new DefaultArtifactClient().uploadArtifact(ARTIFACT_NAME, [file], dir);
  } catch (error) {
    core.warning(`could not upload the artifact ${ARTIFACT_NAME}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
