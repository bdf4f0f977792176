/**
 * Every exit code blastgate returns, in one place (the README's "The command" lists them).
 *
 * - 0 `ok`: nothing at error level.
 * - 1 `problems`: the registry or an agent has problems at error level (printed, with file and line).
 * - 2 `usage`: blastgate could not do what was asked: an unknown or missing option, a ref that
 *   does not exist, a registry that is not a git repository, no agents found, a file it cannot
 *   read or write.
 * - 3 `internal`: a bug in blastgate itself; the message says so and asks for a report.
 */
export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 3 } as const;

/** One of the codes in {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** 1 when any problem is at error level, else 0: the code of a command that ran to the end. */
export function exitForProblems(problems: readonly { readonly level: string }[]): ExitCode {
  return problems.some((problem) => problem.level === "error") ? EXIT.problems : EXIT.ok;
}
