import type { Problem } from "../../schemas/affected-report.schema.ts";
import { byText } from "./by-text.ts";
import { GATE_POLICY_FILE, MODELS_FILE } from "./registry/layout.ts";

export type { Problem };

/**
 * Where a file lives, as data: the repository (an id its reader chose: a folder for the
 * CLI, `owner/name` for the app), the path inside it, and the git ref it was read at
 * (absent for a working tree). Display paths and links are made from it at the edge.
 */
export interface SourceLocation {
  readonly repo: string;
  readonly path: string;
  readonly ref?: string | undefined;
}

/** Builds a problem for a place in a file. */
export function problemAt(
  source: SourceLocation,
  line: number,
  level: Problem["level"],
  code: string,
  message: string,
  agent?: string,
): Problem {
  return {
    level,
    code,
    repo: source.repo,
    path: source.path,
    line: Math.max(1, line),
    ...(source.ref === undefined ? {} : { ref: source.ref }),
    message,
    ...(agent === undefined ? {} : { agent }),
  };
}

/** The same file at another location (a parse reused for another tag of the same blob). */
export function relocateProblem(problem: Problem, to: SourceLocation): Problem {
  const { ref: _ref, ...rest } = problem;
  return { ...rest, repo: to.repo, path: to.path, ...(to.ref === undefined ? {} : { ref: to.ref }) };
}

/** True when two locations name the same file at the same ref. */
export function isSameFile(a: SourceLocation, b: SourceLocation): boolean {
  return a.repo === b.repo && a.path === b.path && a.ref === b.ref;
}

/** A problem in a file every other result depends on: the registry's models.yaml or its gate policy. */
export function isRegistryWide(problem: Problem): boolean {
  return problem.path === MODELS_FILE || problem.path === GATE_POLICY_FILE;
}

/**
 * Orders problems errors first, then by file, line and message, so output never depends on
 * read order. Within a level, the problems `isRootCause` picks (files every other result
 * depends on, like models.yaml) come first.
 */
export function sortProblems(problems: readonly Problem[], isRootCause: (problem: Problem) => boolean = isRegistryWide): Problem[] {
  const rank = (problem: Problem) => (problem.level === "error" ? 0 : 2) + (isRootCause(problem) ? 0 : 1);
  return [...problems].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      byText(a.repo, b.repo) ||
      byText(a.path, b.path) ||
      byText(a.ref ?? "", b.ref ?? "") ||
      a.line - b.line ||
      byText(a.message, b.message),
  );
}

/** Drops exact duplicates (the same problem found at base and at head). */
export function uniqueProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = JSON.stringify([problem.level, problem.code, problem.repo, problem.path, problem.ref, problem.line, problem.message, problem.agent]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Counts errors and warnings. */
export function countProblems(problems: readonly Problem[]): { errors: number; warnings: number } {
  const errors = problems.filter((problem) => problem.level === "error").length;
  return { errors, warnings: problems.length - errors };
}
