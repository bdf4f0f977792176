import type { Problem } from "../../schemas/affected-report.schema.ts";
import { byText } from "./by-text.ts";

export type { Problem };

/** Where a file was read from: its display path, and the git ref when not the working tree. */
export interface SourceFile {
  readonly file: string;
  readonly ref?: string | undefined;
}

/** Builds a problem for a place in a file. */
export function problemAt(
  source: SourceFile,
  line: number,
  level: Problem["level"],
  code: string,
  message: string,
  agent?: string,
): Problem {
  return {
    level,
    code,
    file: source.file,
    line: Math.max(1, line),
    ...(source.ref === undefined ? {} : { ref: source.ref }),
    message,
    ...(agent === undefined ? {} : { agent }),
  };
}

/** Orders problems errors first, then by file, line and message, so output never depends on read order. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      (a.level === b.level ? 0 : a.level === "error" ? -1 : 1) ||
      byText(a.file, b.file) ||
      byText(a.ref ?? "", b.ref ?? "") ||
      a.line - b.line ||
      byText(a.message, b.message),
  );
}

/** Drops exact duplicates (the same problem found at base and at head). */
export function uniqueProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = JSON.stringify([problem.level, problem.code, problem.file, problem.ref, problem.line, problem.message, problem.agent]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
