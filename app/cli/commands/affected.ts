import { Command, Option } from "commander";
import type { LocatedAffectedReport } from "../../../schemas/affected-report.schema.ts";
import { buildAffectedReport } from "../../core/registry/build-affected-report.ts";
import { locateReport } from "../../core/report/locate-report.ts";
import { renderMarkdown } from "../../core/report/render-markdown.ts";
import { renderText } from "../../core/report/render-text.ts";
import { WORKTREE } from "../../load/read-registry.ts";
import type { CliIo } from "../cli-io.ts";
import { exitForProblems, type ExitCode } from "../exit-codes.ts";
import { shellWord } from "../shell-word.ts";
import { locateFrom, readChangeFor } from "../load-org.ts";
import { agentsOption, formatOption, registryOption, todayOption } from "../options.ts";

/** The options of `blastgate affected`, as commander parses them. */
export interface AffectedOptions {
  readonly registry: string;
  readonly agents: readonly string[];
  readonly base: string;
  readonly head?: string;
  readonly format: "text" | "json" | "markdown";
  readonly today: string;
}

/** `blastgate affected`: its name, help and options. */
export function defineAffected(io: CliIo): Command {
  return new Command("affected")
    .description("list the agents a registry change affects: why, which versions they move between, and who stays pinned")
    .addOption(registryOption())
    .addOption(agentsOption())
    .option("--base <ref>", "the registry ref the change is compared against", "main")
    .addOption(new Option("--head <ref>", "the registry ref with the change (default: the working tree, uncommitted changes included)"))
    .addOption(formatOption(["text", "json", "markdown"], "text"))
    .addOption(todayOption(io));
}

/**
 * Runs `blastgate affected`: read → core → render.
 * 1. Read the registry's history (tags, base and head trees) and the agents, and build their facts.
 * 2. Build the affected report (pure), its locations shown relative to the working directory.
 * 3. Print it as text, JSON or the PR comment; exit 1 when a problem is an error.
 */
export async function runAffected(options: AffectedOptions, io: CliIo): Promise<ExitCode> {
  const head = options.head ?? WORKTREE;
  const loaded = await readChangeFor(options, io, { base: options.base, head });
  const built = buildAffectedReport({
    history: loaded.history,
    agents: loaded.agents,
    loadProblems: loaded.problems,
    refused: loaded.refused,
    refs: { base: options.base, head },
    today: options.today,
  });
  const report = locateReport(built, locateFrom(io.cwd));

  if (options.format === "json") {
    // The JSON is a documented contract, held by tests (test/cli/affected.test.ts checks the
    // output against the schema, and that parsing it changes nothing) rather than by parsing
    // the report on every run: for a broad change that costs as much as printing it.
    io.stdout(JSON.stringify(report satisfies LocatedAffectedReport, null, 2) + "\n");
  } else if (options.format === "markdown") {
    io.stdout(renderMarkdown(report, { command: reproduce(options) }));
  } else {
    io.stdout(renderText(report));
  }
  return exitForProblems(report.problems);
}

/** The command line a reader of the PR comment can paste to get the same report. */
function reproduce(options: AffectedOptions): string {
  const argv = ["affected", "--registry", options.registry, ...options.agents.flatMap((dir) => ["--agents", dir]), "--base", options.base, ...(options.head ? ["--head", options.head] : [])];
  return `npx blastgate ${argv.map(shellWord).join(" ")}`;
}
