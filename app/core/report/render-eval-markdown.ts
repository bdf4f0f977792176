import type { EvalResults } from "../../../schemas/eval-results.schema.ts";
import { codeSpan } from "../code-span.ts";
import { percent } from "../evals/build-results.ts";
import { formatUsd } from "../evals/prices.ts";
import { sizeOf } from "../files/size-limit.ts";
import { plural } from "./plural.ts";
import { message, text } from "./render-markdown.ts";

/** GitHub's limit on one step's job summary (`$GITHUB_STEP_SUMMARY`), in bytes. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

type Case = EvalResults["cases"][number];
type Trial = Case["trials"][number];

/** How much detail a rendering keeps; each step down makes a big run fit. */
interface Detail {
  readonly caseRows: number;
  readonly failures: number;
  readonly excerpt: number;
  readonly problems: number;
}

const detailSteps: readonly Detail[] = [
  { caseRows: Infinity, failures: 200, excerpt: 1200, problems: 200 },
  { caseRows: 1000, failures: 50, excerpt: 400, problems: 50 },
  { caseRows: 200, failures: 10, excerpt: 120, problems: 10 },
];

const VERDICT_WORDS: Record<EvalResults["verdict"]["result"], string> = { pass: "passed", fail: "failed", error: "could not be judged" };

/**
 * Renders one variant's eval results as a GitHub job summary: the verdict and why, what
 * ran, a table of cases, each failure with its assertions' details and an excerpt of the
 * output, usage and cost, and problems. Detail is shed step by step until it fits `limit`
 * bytes (GitHub's 1 MiB step summary limit); past the last step it is cut, with a note.
 */
export function renderEvalMarkdown(results: EvalResults, options: { limit?: number } = {}): string {
  const limit = options.limit ?? STEP_SUMMARY_LIMIT;
  let body = "";
  for (const detail of detailSteps) {
    body = renderWith(results, detail);
    if (sizeOf(body) <= limit) return body;
  }
  const note = "\n\n_…cut to fit GitHub's job summary limit; the results JSON has every case, trial and transcript._\n";
  return cutToBytes(body, limit - sizeOf(note)) + note;
}

function renderWith(results: EvalResults, detail: Detail): string {
  const out = [`### blastgate eval: ${text(results.agent.name)} ${VERDICT_WORDS[results.verdict.result]}`, ""];
  out.push(...renderVerdict(results), "");
  out.push(whatRan(results), "");
  if (!results.complete) {
    const ran = `the ${plural(results.summary.trials, "trial")} that ran, in ${results.cases.length} of the suite's ${plural(results.suite.cases, "case")}`;
    out.push("> [!WARNING]", `> **Partial run:** stopped by ${results.stoppedBy ?? "an early stop"} before every planned trial ran; the counts and rates below cover only ${ran}.`, "");
  }
  out.push(...renderCases(results, detail));
  out.push(...renderFailures(results, detail));
  out.push(...renderUsage(results));
  out.push(...renderProblems(results, detail));
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

function renderVerdict(results: EvalResults): string[] {
  const { verdict } = results;
  const head = `**Verdict: ${verdict.result}.**`;
  if (verdict.reasons.length <= 1) return [`${head} ${capitalise(message(verdict.reasons[0] ?? ""))}`.trimEnd()];
  return [head, "", ...verdict.reasons.map((reason) => `- ${capitalise(message(reason))}`)];
}

function whatRan(results: EvalResults): string {
  const { agent, variant, suite } = results;
  return [
    `Agent ${code(agent.name)} (team ${text(agent.team)}, ${agent.tier})`,
    `variant ${code(variant.label)} at ${code(variant.ref)}`,
    `model ${code(variant.model)}`,
    `${results.runner} runner`,
    `suite ${code(suite.path)} (${plural(suite.cases, "case")})`,
  ].join(" · ");
}

function renderCases(results: EvalResults, detail: Detail): string[] {
  if (results.cases.length === 0) return [];
  const out = [`#### Cases (${results.summary.passed} of ${plural(results.summary.trials, "trial")} passed, ${percent(results.summary.passRate)})`, "", "| Case | Tags | Passed | Pass rate |", "| --- | --- | ---: | ---: |"];
  for (const c of results.cases.slice(0, detail.caseRows)) {
    const passed = c.trials.filter((trial) => trial.status === "passed").length;
    const erroredCount = c.trials.filter((trial) => trial.status === "errored").length;
    const assertsNothing = c.trials.every((trial) => trial.status !== "errored" && trial.assertions.length === 0) ? " (asserts nothing)" : "";
    const tags = c.tags.map((tag) => code(tag, "cell")).join(" ") || "—";
    out.push(`| ${code(c.id, "cell")}${assertsNothing} | ${tags} | ${passed}/${c.trials.length}${erroredCount > 0 ? ` (${erroredCount} errored)` : ""} | ${percent(c.passRate)} |`);
  }
  if (results.cases.length > detail.caseRows) out.push(`| …and ${results.cases.length - detail.caseRows} more | | | |`);
  return [...out, ""];
}

function renderFailures(results: EvalResults, detail: Detail): string[] {
  const failures = results.cases.flatMap((c) => c.trials.filter((trial) => trial.status !== "passed").map((trial) => ({ c, trial })));
  if (failures.length === 0) return [];
  const out = [`#### Failures (${failures.length})`, ""];
  for (const { c, trial } of failures.slice(0, detail.failures)) out.push(...renderFailure(results, c, trial, detail), "");
  if (failures.length > detail.failures) out.push(`…and ${plural(failures.length - detail.failures, "more failing trial")}; the results JSON has them all.`, "");
  return out;
}

function renderFailure(results: EvalResults, c: Case, trial: Trial, detail: Detail): string[] {
  const where = code(`${c.file}:${c.line}`);
  if (trial.status === "errored") {
    return [`**${code(c.id)}** trial ${trial.trial}: errored (${where})`, "", `- ${capitalise(message(trial.error ?? "no error given"))}`];
  }
  const out = [`**${code(c.id)}** trial ${trial.trial}: failed, score ${trial.score.toFixed(2)} (${where})`, ""];
  for (const outcome of trial.assertions.filter((a) => !a.passed)) out.push(`- ${code(outcome.type)}: ${message(outcome.detail)}`);
  const transcript = results.transcripts[trial.transcript];
  if (transcript) {
    if (transcript.stop === "max-turns") out.push("- The run stopped at the runner's turn cap.");
    out.push("", "<details><summary>Output</summary>", "", ...fenced(excerpt(transcript.output, detail.excerpt)), "", "</details>");
  }
  return out;
}

function renderUsage(results: EvalResults): string[] {
  const u = results.usage;
  const tokens = (n: number) => n.toLocaleString("en");
  const estimate = results.estimatedCostUsd === undefined ? "" : ` (estimated ${formatUsd(results.estimatedCostUsd)} before the run)`;
  const cached = results.cases.reduce((sum, c) => sum + c.trials.filter((trial) => trial.cached).length, 0);
  return [
    "#### Usage and cost",
    "",
    "| Requests | Input tokens | Output tokens | Cache writes | Cache reads | Cost |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${tokens(u.requests)} | ${tokens(u.inputTokens)} | ${tokens(u.outputTokens)} | ${tokens(u.cacheCreationInputTokens)} | ${tokens(u.cacheReadInputTokens)} | ${formatUsd(results.costUsd)} |`,
    "",
    `Cost ${formatUsd(results.costUsd)}${estimate}${cached > 0 ? `; ${plural(cached, "trial")} served from the cache cost nothing this run` : ""}. Trial time: median ${ms(results.latencyMs.p50)}, 95th percentile ${ms(results.latencyMs.p95)}, ${ms(results.latencyMs.total)} in all.`,
    "",
  ];
}

function renderProblems(results: EvalResults, detail: Detail): string[] {
  if (results.problems.length === 0) return [];
  const errors = results.problems.filter((problem) => problem.level === "error").length;
  const out = [`#### Problems (${plural(errors, "error")}, ${plural(results.problems.length - errors, "warning")})`, ""];
  for (const problem of results.problems.slice(0, detail.problems)) {
    out.push(`- **${problem.level}** ${code(`${problem.path}:${problem.line}`)}: ${message(problem.message)}`);
  }
  if (results.problems.length > detail.problems) out.push(`- …and ${results.problems.length - detail.problems} more`);
  return [...out, ""];
}

/** The start of an output, cut at `max` characters with a note of how much was left out. */
function excerpt(output: string, max: number): string {
  const trimmed = output.trim();
  if (trimmed === "") return "(empty)";
  if (trimmed.length <= max) return trimmed;
  let end = max;
  if (/[\uD800-\uDBFF]/.test(trimmed[end - 1]!)) end -= 1;
  return `${trimmed.slice(0, end)}\n[…${(trimmed.length - end).toLocaleString("en")} more characters]`;
}

/** A fenced block that shows text literally: its fence is longer than any backtick run inside. */
function fenced(value: string): string[] {
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}text`, value, fence];
}

/** A code span; in a table cell its pipes are escaped, as GFM splits cells before it reads code. */
function code(value: string, where: "cell" | "text" = "text"): string {
  const span = codeSpan(value);
  return where === "cell" ? span.replace(/\|/g, "\\|") : span;
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value).toLocaleString("en")} ms`;
}

/** The longest start of `value` that is at most `bytes` long in UTF-8, never splitting a character. */
function cutToBytes(value: string, bytes: number): string {
  if (sizeOf(value) <= bytes) return value;
  let low = 0;
  let high = Math.min(value.length, bytes);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (sizeOf(value.slice(0, mid)) <= bytes) low = mid;
    else high = mid - 1;
  }
  let end = low;
  if (end > 0 && /[\uD800-\uDBFF]/.test(value[end - 1]!)) end -= 1;
  return value.slice(0, end);
}
