import { InvalidArgumentError, Option, Command } from "commander";
import path from "node:path";
import { renderEvalMarkdown } from "../../core/report/render-eval-markdown.ts";
import { renderEvalText } from "../../core/report/render-eval-text.ts";
import { locateProblem } from "../../core/report/locate-report.ts";
import { formatProblem } from "../../core/report/render-text.ts";
import { evaluateAgent, evaluateSkill } from "../../evals/evaluate-agent.ts";
import type { StoreMode } from "../../evals/result-store.ts";
import { WORKTREE } from "../../load/read-registry.ts";
import { writeFiles } from "../../load/write-files.ts";
import type { CliIo } from "../cli-io.ts";
import { EXIT, type ExitCode } from "../exit-codes.ts";
import { locateFrom } from "../load-org.ts";
import { formatOption, refOption, registryOption, todayOption } from "../options.ts";

/** The options of `blastgate eval`, as commander parses them. */
export interface EvalOptions {
  readonly agent?: string;
  readonly skill?: string;
  readonly registry: string;
  readonly ref?: string;
  readonly trials?: number;
  readonly out?: string;
  readonly record?: string;
  readonly replay?: string;
  readonly cache: boolean;
  readonly batch?: boolean;
  readonly budgetUsd?: number;
  readonly seed: number;
  readonly format: "text" | "json" | "markdown";
  readonly today: string;
}

function positiveInt(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError(`expected a whole number of 1 or more; got \`${value}\``);
  return Number(value);
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number; got \`${value}\``);
  return Number(value);
}

function dollars(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || parsed <= 0) throw new InvalidArgumentError(`expected an amount in USD above 0, like \`2.50\`; got \`${value}\``);
  return parsed;
}

/** `blastgate eval`: its name, help and options. */
export function defineEval(io: CliIo): Command {
  return new Command("eval")
    .description("run an agent's eval suite against the servers, skills and model its agent.yaml resolves to, and give a verdict")
    .addOption(new Option("--agent <dir>", "the agent repo (the folder holding agent.yaml)").conflicts("skill"))
    .addOption(new Option("--skill <name>", "instead of an agent: a registry skill, run with its own Agent Skills suite (evals/evals.json)"))
    .addOption(registryOption())
    .addOption(refOption("resolve against"))
    .addOption(new Option("--trials <n>", "trials per case, instead of the suite's and agent.yaml's").argParser(positiveInt))
    .addOption(new Option("--out <file>", "write the results (JSON, eval-results.schema.json) to this file"))
    .addOption(new Option("--record <dir>", "run every trial live and record it, with the judge's answers, to this folder (a cassette)").conflicts("replay"))
    .addOption(new Option("--replay <dir>", "replay a recorded cassette instead of calling the API"))
    .addOption(new Option("--no-cache", "neither read nor write the result cache"))
    .addOption(new Option("--batch", "send requests through the Message Batches API (half price, slower)"))
    .addOption(new Option("--budget-usd <usd>", "stop starting trials once this much would be spent; the result is marked partial").argParser(dollars))
    .addOption(new Option("--seed <n>", "seed of the order trials start in").argParser(wholeNumber).default(1))
    .addOption(formatOption(["text", "json", "markdown"], "text"))
    .addOption(todayOption(io));
}

/**
 * Runs `blastgate eval`: read → resolve → run → grade → render.
 * Exit 0 when the verdict is `pass`, 1 when it is `fail` or `error`, 2 for a usage error.
 */
export async function runEval(options: EvalOptions, io: CliIo): Promise<ExitCode> {
  const resolve = (dir: string) => path.resolve(io.cwd, dir);
  const store: StoreMode = options.replay
    ? { kind: "replay", dir: resolve(options.replay), shownAs: options.replay }
    : options.record
      ? { kind: "record", dir: resolve(options.record), shownAs: options.record }
      : options.cache && io.cache
        ? { kind: "cache", dir: path.join(io.cache.dir, "evals") }
        : { kind: "no-cache" };
  if ((options.agent === undefined) === (options.skill === undefined)) {
    io.stderr("blastgate: eval needs one of --agent DIR (an agent repo) or --skill NAME (a registry skill's own suite) (run `blastgate eval --help` for usage)\n");
    return EXIT.usage;
  }
  const common = {
    registryDir: resolve(options.registry),
    ref: options.ref ?? WORKTREE,
    ...(options.trials === undefined ? {} : { trials: options.trials }),
    ...(options.budgetUsd === undefined ? {} : { budgetUsd: options.budgetUsd }),
    store,
    batch: options.batch ?? false,
    api: io.anthropic ?? {},
    today: options.today,
    seed: options.seed,
    onWarning: (message: string) => io.stderr(`blastgate: warning: ${message}\n`),
  };
  const outcome = options.skill !== undefined ? await evaluateSkill({ ...common, skill: options.skill }) : await evaluateAgent({ ...common, agentDir: resolve(options.agent!) });
  const locate = locateFrom(io.cwd);
  const problems = outcome.problems.map((problem) => locateProblem(problem, locate));
  const results = outcome.results === null ? null : { ...outcome.results, problems };
  if (results && options.out) {
    await writeFiles({ dir: path.dirname(resolve(options.out)), shown: path.dirname(options.out) || "." }, [{ path: path.basename(options.out), text: JSON.stringify(results, null, 2) + "\n" }]);
  }
  if (options.format === "json") io.stdout(JSON.stringify(results ?? { problems }, null, 2) + "\n");
  else if (results === null) for (const problem of problems) io.stderr(formatProblem(problem) + "\n");
  else io.stdout(options.format === "markdown" ? renderEvalMarkdown(results) : renderEvalText(results));
  if (results === null) io.stderr(`blastgate eval: nothing was run (${problems.length} problem${problems.length === 1 ? "" : "s"})\n`);
  return results?.verdict.result === "pass" ? EXIT.ok : EXIT.problems;
}
