import { Command } from "commander";
import { checkServerNames } from "../../core/catalog/plan-server-export.ts";
import { policyValue } from "../../core/gate/parse-gate-policy.ts";
import { validateOrg } from "../../core/registry/build-affected-report.ts";
import { plural } from "../../core/report/plural.ts";
import { countProblems, sortProblems } from "../../core/problems.ts";
import { locateProblem } from "../../core/report/locate-report.ts";
import { formatProblem } from "../../core/report/render-text.ts";
import { WORKTREE } from "../../load/read-registry.ts";
import type { CliIo } from "../cli-io.ts";
import { exitForProblems, type ExitCode } from "../exit-codes.ts";
import { locateFrom, readAtFor } from "../load-org.ts";
import { agentsOption, formatOption, refOption, registryOption, todayOption } from "../options.ts";

/** The options of `blastgate validate`, as commander parses them. */
export interface ValidateOptions {
  readonly registry: string;
  readonly agents: readonly string[];
  readonly ref?: string;
  readonly format: "text" | "json";
  readonly today: string;
}

/** `blastgate validate`: its name, help and options. */
export function defineValidate(io: CliIo): Command {
  return new Command("validate")
    .description("check a registry and agent repos; print file:line errors and exit 1 when anything is wrong")
    .addOption(registryOption())
    .addOption(agentsOption())
    .addOption(refOption("validate"))
    .addOption(formatOption(["text", "json"], "text"))
    .addOption(todayOption(io));
}

/**
 * Runs `blastgate validate`: read → core → render.
 * 1. Read the registry at `--ref` (default: the working tree) and the agents.
 * 2. Validate the org (pure), with the check that servers export under distinct MCP registry names.
 * 3. Print every problem as file:line and a summary line; exit 1 when one is an error.
 */
export async function runValidate(options: ValidateOptions, io: CliIo): Promise<ExitCode> {
  const loaded = await readAtFor(options, io, options.ref ?? WORKTREE);
  const { agents } = loaded;
  const names = checkServerNames({ tags: loaded.tags, tree: loaded.tree, namespace: policyValue(loaded.policy)?.catalog.namespace ?? null });
  const found = sortProblems([
    ...validateOrg({ tags: loaded.tags, leftOut: loaded.leftOut, tree: loaded.tree, agents, loadProblems: loaded.problems, today: options.today }),
    ...names.problems,
  ]);
  const locate = locateFrom(io.cwd);
  const problems = found.map((problem) => locateProblem(problem, locate));
  const counts: ValidateCounts = { assets: loaded.tree.assets.size, agents: agents.length, refused: loaded.refused, ...countProblems(problems) };
  if (options.format === "json") {
    io.stdout(JSON.stringify({ summary: counts, problems }, null, 2) + "\n");
  } else {
    for (const problem of problems) io.stdout(formatProblem(problem) + "\n");
    io.stdout(renderValidateSummary(counts) + "\n");
  }
  return exitForProblems(problems);
}

/** What validate read and found. */
export interface ValidateCounts {
  readonly assets: number;
  readonly agents: number;
  /** Files that were found but refused (too large, unreadable, not valid). */
  readonly refused: number;
  readonly errors: number;
  readonly warnings: number;
}

/** `blastgate validate: 3 assets and 1 agent read, 0 files refused; 0 errors, 1 warning`. */
export function renderValidateSummary(counts: ValidateCounts): string {
  return `blastgate validate: ${plural(counts.assets, "asset")} and ${plural(counts.agents, "agent")} read, ${plural(counts.refused, "file")} refused; ${plural(counts.errors, "error")}, ${plural(counts.warnings, "warning")}`;
}
