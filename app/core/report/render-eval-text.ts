import type { EvalResults } from "../../../schemas/eval-results.schema.ts";
import { percent } from "../evals/build-results.ts";
import { clip } from "../evals/json-value.ts";
import { formatUsd } from "../evals/prices.ts";
import { plural } from "./plural.ts";
import { formatProblem } from "./render-text.ts";

/** Characters of a failing trial's output shown in the terminal. */
const EXCERPT = 300;

/** One variant's eval results for a terminal: verdict and why, the cases, each failure, usage and cost, problems. */
export function renderEvalText(results: EvalResults): string {
  const { agent, variant, summary, verdict } = results;
  const out = [
    `blastgate eval: ${agent.name} ${verdict.result.toUpperCase()} — ${summary.passed} of ${plural(summary.trials, "trial")} passed (${percent(summary.passRate)}), required ${percent(verdict.minPassRate)}`,
    `  ${agent.name} (${agent.team}, ${agent.tier}) · ${variant.label} at ${variant.ref} · ${variant.model} · ${results.runner} runner · ${results.suite.path} (${plural(results.suite.cases, "case")})`,
  ];
  if (!results.complete) out.push(`  PARTIAL: stopped by ${results.stoppedBy ?? "an early stop"} before every planned trial ran; counts cover only the ${plural(summary.trials, "trial")} that ran`);
  for (const reason of verdict.reasons) out.push(`  - ${plain(reason)}`);

  if (results.cases.length > 0) {
    out.push("", "Cases");
    const width = Math.min(40, Math.max(...results.cases.map((c) => c.id.length)));
    for (const c of results.cases) {
      const passed = c.trials.filter((trial) => trial.status === "passed").length;
      const errored = c.trials.filter((trial) => trial.status === "errored").length;
      const tags = c.tags.length > 0 ? `  [${c.tags.join(", ")}]` : "";
      out.push(`  ${c.id.padEnd(width)}  ${`${passed}/${c.trials.length}`.padStart(5)}  ${percent(c.passRate).padStart(6)}${errored > 0 ? `  (${errored} errored)` : ""}${tags}`);
    }
  }

  const failures = results.cases.flatMap((c) => c.trials.filter((trial) => trial.status !== "passed").map((trial) => ({ c, trial })));
  if (failures.length > 0) {
    out.push("", "Failures");
    for (const { c, trial } of failures) {
      const where = `${c.file}:${c.line}`;
      if (trial.status === "errored") {
        out.push(`  ${c.id} trial ${trial.trial}: errored (${where}): ${plain(trial.error ?? "no error given")}`);
        continue;
      }
      out.push(`  ${c.id} trial ${trial.trial}: failed, score ${trial.score.toFixed(2)} (${where})`);
      for (const outcome of trial.assertions.filter((a) => !a.passed)) out.push(`    ${outcome.type}: ${plain(outcome.detail)}`);
      const transcript = results.transcripts[trial.transcript];
      if (transcript) out.push(`    output: ${JSON.stringify(clip(transcript.output.trim(), EXCERPT))}${transcript.stop === "max-turns" ? " (stopped at the turn cap)" : ""}`);
    }
  }

  const u = results.usage;
  const estimate = results.estimatedCostUsd === undefined ? "" : ` (estimated ${formatUsd(results.estimatedCostUsd)})`;
  out.push(
    "",
    `Usage: ${plural(u.requests, "request")}, ${u.inputTokens.toLocaleString("en")} input, ${u.outputTokens.toLocaleString("en")} output, ${u.cacheCreationInputTokens.toLocaleString("en")} cache-write, ${u.cacheReadInputTokens.toLocaleString("en")} cache-read tokens; cost ${formatUsd(results.costUsd)}${estimate}`,
    `Trial time: median ${Math.round(results.latencyMs.p50)} ms, p95 ${Math.round(results.latencyMs.p95)} ms, total ${Math.round(results.latencyMs.total)} ms`,
  );
  if (results.problems.length > 0) {
    out.push("", "Problems");
    for (const problem of results.problems) out.push(`  ${formatProblem(problem)}`);
  }
  return out.join("\n") + "\n";
}

/** Text from a run (outputs, tool results, the judge's words) on one line, without control characters a terminal would obey. */
function plain(value: string): string {
  return value.replace(/\r?\n|\r/g, " ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "\ufffd");
}
