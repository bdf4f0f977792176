import { InvalidArgumentError, Option, type Command } from "commander";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./cli-io.ts";

// Options blastgate requires. Not commander's `makeOptionMandatory`: commander checks those
// before unknown options, so a typo (`--agnets`) would be reported as a missing `--agents`.
// main checks these in a preAction hook, which runs after the unknown-option check.
const required = new WeakSet<Option>();

/** Marks an option as required; {@link checkRequiredOptions} enforces it. */
export function requireOption(option: Option): Option {
  required.add(option);
  return option;
}

/** Fails the way commander does for a missing mandatory option (a usage error, exit 2). */
export function checkRequiredOptions(command: Command): void {
  for (const option of command.options) {
    if (required.has(option) && command.getOptionValue(option.attributeName()) === undefined) {
      command.error(`error: required option '${option.flags}' not specified`, { code: "commander.missingMandatoryOptionValue", exitCode: EXIT.usage });
    }
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--registry DIR`, default `.`. */
export function registryOption(): Option {
  return new Option("--registry <dir>", "the registry repo (a git clone with its tags)").default(".");
}

/** `--agents DIR`, repeatable and required. */
export function agentsOption(): Option {
  return requireOption(new Option("--agents <dir>", "an agent repo, or a folder of agent repos (repeatable, required)").argParser(collect));
}

/** `--ref REF`: read the registry at a ref instead of the working tree. */
export function refOption(what: string): Option {
  return new Option("--ref <ref>", `${what} the registry at this ref instead of the working tree`);
}

/** `--format`, one of `choices`. */
export function formatOption(choices: readonly string[], fallback: string): Option {
  return new Option("--format <format>", "output format").choices(choices).default(fallback);
}

/** `--today YYYY-MM-DD`, hidden: the date model retirements are checked against (tests pin it). */
export function todayOption(io: CliIo): Option {
  return new Option("--today <date>", "the date to check model retirements against (YYYY-MM-DD)")
    .default(io.today)
    .argParser((value: string) => {
      // A date compared as text with retirement dates must be one, or every comparison lies.
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError(`expected a date as YYYY-MM-DD; got \`${value}\``);
      return value;
    })
    .hideHelp();
}
