import type { AffectedReport, LocatedAffectedReport, LocatedProblem, Problem } from "../../../schemas/affected-report.schema.ts";
import type { SourceLocation } from "../problems.ts";

/** How a shell shows a location: the repository's display name and the file's display path (or link). */
export type Locate = (location: SourceLocation) => { readonly repo: string; readonly file: string };

/** A problem with its display path, as a shell shows it. */
export function locateProblem(problem: Problem, locate: Locate): LocatedProblem {
  const shown = locate(problem);
  return { ...problem, repo: shown.repo, file: shown.file };
}

/** The report as a shell shows it: every problem with its display path, every agent repo by its display name. */
export function locateReport(report: AffectedReport, locate: Locate): LocatedAffectedReport {
  return {
    ...report,
    affected: report.affected.map((entry) => ({ ...entry, repo: locate({ repo: entry.repo, path: "." }).repo })),
    problems: report.problems.map((problem) => locateProblem(problem, locate)),
  };
}
