import { Command, CommanderError } from "commander";
import path from "node:path";
import { inspect } from "node:util";
import { FileAccessError, isSystemError, type SystemError } from "../load/file-access-error.ts";
import { GitError } from "../load/git.ts";
import { NotRecordedError } from "../evals/result-store.ts";
import { NoAgentsError } from "../load/read-agents.ts";
import { NotARepositoryError, UnknownRefError } from "../load/read-registry.ts";
import type { CliIo } from "./cli-io.ts";
import { defineAffected, runAffected } from "./commands/affected.ts";
import { defineCatalog, runCatalog } from "./commands/catalog.ts";
import { defineEval, runEval } from "./commands/eval.ts";
import { defineValidate, runValidate } from "./commands/validate.ts";
import { EXIT, type ExitCode } from "./exit-codes.ts";
import { InternalError } from "./internal-error.ts";
import { locateFrom, NotARegistryError } from "./load-org.ts";
import { checkRequiredOptions } from "./options.ts";
import { readVersion } from "./version.ts";

export type { CliIo } from "./cli-io.ts";
export { EXIT, type ExitCode } from "./exit-codes.ts";

/**
 * Runs the blastgate command line and returns its exit code; never throws.
 * 1. Wire the commands (each in app/cli/commands/: options, then read → core → render).
 * 2. Parse the arguments and run the command (commander).
 * 3. Turn any failure into one line on stderr and its exit code (`exitCodeFor`).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = new Command("blastgate")
    .description("Finds the agents a change to the shared MCP servers, skills and models touches, and why.")
    .version(readVersion(), "-V, --version", "print blastgate's version")
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      // Commander puts a suggestion on its own line and starts with `error: `; keep a usage
      // error to one line that starts like every other of blastgate's.
      outputError: (text, write) => write(`blastgate: ${text.trim().replace(/^error: /, "").split("\n").join(" ")} (run \`blastgate --help\` for usage)\n`),
    })
    .showSuggestionAfterError()
    // After commander's unknown-option check, so a typo is reported as itself, not as a missing option.
    .hook("preAction", (_program, command) => checkRequiredOptions(command));

  const wire = <Options>(command: Command, run: (options: Options, io: CliIo) => Promise<ExitCode>) => {
    program.addCommand(
      command.copyInheritedSettings(program).action(async (options: Options) => {
        exitCode = await run(options, io);
      }),
    );
  };
  wire(defineAffected(io), runAffected);
  wire(defineValidate(io), runValidate);
  wire(defineCatalog(io), runCatalog);
  wire(defineEval(io), runEval);

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}

/** The one place a failure becomes an exit code: one line on stderr, the stack only with `io.debug`. */
function exitCodeFor(error: unknown, io: CliIo): ExitCode {
  // Commander has printed its message already; --help and --version exit 0.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  // Readers name folders and files by absolute path; the user sees them relative to where they ran blastgate.
  const shown = (where: string) => (path.isAbsolute(where) ? path.relative(io.cwd, where) || "." : where);
  if (error instanceof UnknownRefError || error instanceof NotARepositoryError || error instanceof NoAgentsError) {
    report(io, error.describe(shown(error.dir)), error);
    return EXIT.usage;
  }
  if (error instanceof FileAccessError) {
    report(io, error.describe(error.typed ? error.path : shown(error.path)), error);
    return EXIT.usage;
  }
  if (error instanceof NotRecordedError) {
    report(io, error.message, error);
    return EXIT.usage;
  }
  if (error instanceof GitError) {
    report(io, error.message, error);
    return EXIT.usage;
  }
  if (error instanceof NotARegistryError) {
    report(io, `${locateFrom(io.cwd)(error.problem).repo} ${error.message}`, error);
    return EXIT.usage;
  }
  // A read that a reader did not wrap: still one line naming the path.
  if (isSystemError(error) && typeof error.path === "string") {
    report(io, new FileAccessError(accessOf(error), error.path, { cause: error }).describe(shown(error.path)), error);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  const what = error instanceof InternalError ? "" : `${error instanceof Error ? error.name : "error"}: `;
  report(io, `internal error (a bug in blastgate; please report it with the command you ran): ${what}${message}`, error);
  return EXIT.internal;
}

function report(io: CliIo, line: string, error: unknown): void {
  io.stderr(`blastgate: ${line.split("\n").map((part) => part.trim()).filter(Boolean).join(" ")}\n`);
  // The stack and its causes, for whoever debugs blastgate itself (`BLASTGATE_DEBUG=1`).
  if (io.debug) io.stderr(inspect(error) + "\n");
}

// Syscalls that change the file system; any other (open, read, stat, scandir, realpath…) reads.
const writeSyscalls = new Set(["mkdir", "write", "rename", "unlink", "rmdir", "rm", "copyfile", "symlink", "link", "chmod", "chown", "utime", "futime"]);

function accessOf(error: SystemError): "read" | "write" {
  return writeSyscalls.has(error.syscall) ? "write" : "read";
}
