import path from "node:path";
import type { CliIo } from "../app/cli/cli-io.ts";
import { EXIT, main, type ExitCode } from "../app/cli/main.ts";
import { shellWord } from "../app/cli/shell-word.ts";
import { buildExampleOrg, type ExampleOrg } from "./build-example-org.ts";

const DEFAULT_CHANGE = "skill-minor-bump";

/**
 * Runs blastgate on the example org, as a skill author would before opening a registry PR.
 * `args` is `[change] [blastgate options…]`: the change's name (default skill-minor-bump),
 * then anything else, passed to `blastgate affected` as it is (with `--format markdown`
 * unless a `--format` is given here). A mistyped option is blastgate's usage error, exit 2.
 *
 * 1. Build the example org into `orgDir` (a real git registry, one branch per change).
 * 2. Run `blastgate affected` from the registry on `change/<name>`.
 * 3. Exit 0 where blastgate exits 1 (every error in the example org is there on purpose, to be
 *    shown), else blastgate's code.
 */
export async function runExample(args: readonly string[], io: Omit<CliIo, "cwd">, orgDir: string): Promise<ExitCode> {
  return runExampleOn(await buildExampleOrg(orgDir), args, io);
}

/** {@link runExample} on an example org already built. */
export async function runExampleOn(org: ExampleOrg, args: readonly string[], io: Omit<CliIo, "cwd">): Promise<ExitCode> {
  if (args[0] === "eval") return runExampleEval(org, args.slice(1), io);
  const named = args[0] !== undefined && !args[0].startsWith("-");
  const name = named ? args[0]! : DEFAULT_CHANGE;
  const passed = named ? args.slice(1) : args;
  const change = `change/${name}`;
  if (!org.changes.includes(change)) {
    io.stderr(`No example change \`${name}\`; pick one of: ${org.changes.map((known) => known.replace("change/", "")).join(", ")}\n`);
    return EXIT.usage;
  }
  const cwd = org.registry;
  // The command as the user would type it: the default format only when they gave none.
  const formatGiven = passed.some((arg) => arg === "--format" || arg.startsWith("--format="));
  const argv = ["affected", "--registry", ".", "--agents", "../agents", "--base", "main", "--head", change, ...(formatGiven ? [] : ["--format", "markdown"]), ...passed];
  io.stderr(`$ cd ${shellWord(path.relative(process.cwd(), cwd))} && npx blastgate ${argv.map(shellWord).join(" ")}\n\n`);
  const code = await main(argv, { ...io, cwd });
  if (code !== EXIT.problems) return code;
  io.stderr(
    "\n(blastgate exits 1 here because the report holds error-level problems. In the example org they are all there on purpose: a deliberately broken agent manifest, ops-capacity-planner, reported without stopping the others, and changes made to show what blastgate flags.)\n",
  );
  return EXIT.ok;
}

/** The agents whose recorded eval runs the example bundles (examples/org/cassettes/<agent>/). */
const CASSETTES = path.join(import.meta.dirname, "..", "examples", "org", "cassettes");

/**
 * `npm run example -- eval [agent] [options…]`: the agent's suite replayed offline from its
 * bundled cassette, printed as the job summary (`--format markdown` unless one is given).
 */
async function runExampleEval(org: ExampleOrg, args: readonly string[], io: Omit<CliIo, "cwd">): Promise<ExitCode> {
  const named = args[0] !== undefined && !args[0].startsWith("-");
  const agent = named ? args[0]! : "support-triage";
  const passed = named ? args.slice(1) : args;
  const cwd = org.registry;
  const formatGiven = passed.some((arg) => arg === "--format" || arg.startsWith("--format="));
  const cassette = path.relative(cwd, path.join(CASSETTES, agent));
  const argv = ["eval", "--agent", `../agents/${agent}`, "--registry", ".", "--replay", cassette, ...(formatGiven ? [] : ["--format", "markdown"]), ...passed];
  io.stderr(`$ cd ${shellWord(path.relative(process.cwd(), cwd))} && npx blastgate ${argv.map(shellWord).join(" ")}\n\n`);
  const code = await main(argv, { ...io, cwd, cache: null });
  if (code !== EXIT.problems) return code;
  io.stderr(
    "\n(blastgate exits 1 here because the verdict is not `pass`. The bundled cassette was recorded against blastgate's fake Messages API with a scripted model that routes every ticket to billing, so most cases fail on purpose: it shows the summary, not Claude.)\n",
  );
  return EXIT.ok;
}
