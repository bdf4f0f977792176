import { Command, CommanderError, Option } from "commander";
import path from "node:path";
import { affectedReportJsonSchema } from "../../schemas/affected-report.schema.ts";
import { buildAffectedReport, validateOrg } from "../core/registry/build-affected-report.ts";
import { renderMarkdown } from "../core/report/render-markdown.ts";
import { formatProblem, renderText } from "../core/report/render-text.ts";
import { locateProblem, locateReport } from "../core/report/locate-report.ts";
import { countProblems } from "../core/problems.ts";
import { GitError } from "../load/git.ts";
import { NoAgentsError } from "../load/read-agents.ts";
import { NotARepositoryError, UnknownRefError, WORKTREE } from "../load/read-registry.ts";
import { runCatalog } from "./catalog-command.ts";
import { loadAt, loadChange, locateFrom, NotARegistryError, openCache, saveCache } from "./load-org.ts";

/** Where the CLI writes and which directory it works from; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  /** Today as YYYY-MM-DD (model retirement dates are compared with it). */
  readonly today: string;
  /** Where parses are kept between runs, and the id of the code that made them; none: parse everything every run. */
  readonly cache?: { readonly dir: string; readonly codeId: string } | null;
}

/** Exit codes: 0 fine, 1 problems at error level, 2 usage or environment errors. */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Runs the blastgate command line.
 * 1. Parse arguments (commander); usage errors exit 2.
 * 2. Read the registry from git and the agents from disk (the shell's only I/O).
 * 3. Hand the facts to the pure core; render; exit 1 when a problem is an error.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  // Folders are resolved against the CLI's working directory once, here; readers get absolute paths.
  const sources = (options: { registry: string; agents: string[] }) => ({
    registry: path.resolve(io.cwd, options.registry),
    agents: options.agents.map((dir) => path.resolve(io.cwd, dir)),
  });
  const program = new Command("blastgate")
    .description("Finds the agents a change to the shared MCP servers, skills and models touches, and why.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(run `blastgate --help` for usage)");

  const registryOption = () => new Option("--registry <dir>", "the registry repo (a git clone with its tags)").default(".");
  const agentsOption = () =>
    new Option("--agents <dir>", "an agent repo, or a folder of agent repos (repeatable)").argParser(collect).makeOptionMandatory();
  const todayOption = () => new Option("--today <date>", "the date to check model retirements against (YYYY-MM-DD)").default(io.today).hideHelp();

  program
    .command("affected")
    .description("list the agents a registry change affects: why, which versions they move between, and who stays pinned")
    .addOption(registryOption())
    .addOption(agentsOption())
    .option("--base <ref>", "the registry ref the change is compared against", "main")
    .option("--head <ref>", "the registry ref with the change (default: the working tree, uncommitted changes included)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .addOption(todayOption())
    .action(async (options: { registry: string; agents: string[]; base: string; head?: string; format: string; today: string }) => {
      const head = options.head ?? WORKTREE;
      const cache = await openCache(io, sources(options));
      const loaded = await loadChange(sources(options), { base: options.base, head }, cache);
      await saveCache(cache);
      const built = buildAffectedReport({
        history: loaded.history,
        agents: loaded.agents,
        loadProblems: loaded.problems,
        refused: loaded.refused,
        refs: { base: options.base, head },
        today: options.today,
      });
      const report = locateReport(built, locateFrom(io.cwd));
      if (options.format === "json") io.stdout(JSON.stringify(affectedReportJsonSchema.parse(report), null, 2) + "\n");
      else if (options.format === "markdown") io.stdout(renderMarkdown(report, { command: reproduce(options) }));
      else io.stdout(renderText(report));
      exitCode = report.summary.errors > 0 ? EXIT.problems : EXIT.ok;
    });

  program
    .command("validate")
    .description("check a registry and agent repos; print file:line errors and exit 1 when anything is wrong")
    .addOption(registryOption())
    .addOption(agentsOption())
    .option("--ref <ref>", "validate the registry at this ref instead of the working tree")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addOption(todayOption())
    .action(async (options: { registry: string; agents: string[]; ref?: string; format: string; today: string }) => {
      const cache = await openCache(io, sources(options));
      const loaded = await loadAt(sources(options), options.ref ?? WORKTREE, cache);
      await saveCache(cache);
      const { agents } = loaded;
      const found = validateOrg({ tags: loaded.tags, leftOut: loaded.leftOut, tree: loaded.tree, agents, loadProblems: loaded.problems, today: options.today });
      const locate = locateFrom(io.cwd);
      const problems = found.map((problem) => locateProblem(problem, locate));
      const { errors, warnings } = countProblems(problems);
      if (options.format === "json") {
        io.stdout(JSON.stringify({ problems }, null, 2) + "\n");
      } else {
        for (const problem of problems) io.stdout(formatProblem(problem) + "\n");
        const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
        io.stdout(`blastgate validate: ${count(loaded.tree.assets.size, "asset")} and ${count(agents.length, "agent")} read, ${count(loaded.refused, "file")} refused; ${count(errors, "error")}, ${count(warnings, "warning")}\n`);
      }
      exitCode = errors > 0 ? EXIT.problems : EXIT.ok;
    });

  program
    .command("catalog")
    .description("write catalog.json and one MCP registry server.json per server")
    .addOption(registryOption())
    .addOption(agentsOption())
    .option("--ref <ref>", "read the registry at this ref instead of the working tree")
    .requiredOption("--out <dir>", "the folder to write into")
    .addOption(todayOption())
    .action(async (options: { registry: string; agents: string[]; ref?: string; out: string; today: string }) => {
      exitCode = await runCatalog(
        { ...sources(options), ref: options.ref ?? WORKTREE, out: path.resolve(io.cwd, options.out), today: options.today },
        io,
      );
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other parse error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UnknownRefError || error instanceof NotARepositoryError || error instanceof NoAgentsError) {
      io.stderr(`blastgate: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof NotARegistryError) {
      io.stderr(`blastgate: ${locateFrom(io.cwd)(error.problem).repo} ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof GitError) {
      io.stderr(`blastgate: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

function reproduce(options: { registry: string; agents: string[]; base: string; head?: string }): string {
  const agents = options.agents.map((dir) => `--agents ${dir}`).join(" ");
  return `npx blastgate affected --registry ${options.registry} ${agents} --base ${options.base}${options.head ? ` --head ${options.head}` : ""}`;
}
