import type { LocatedAffectedReport as AffectedReport, Problem } from "../../../schemas/affected-report.schema.ts";
import { plural } from "./plural.ts";

/** `file:line: level: message`, the form editors and CI logs link; `file` is the display path, else the repo-relative one. */
export function formatProblem(problem: Problem & { readonly file?: string }): string {
  const ref = problem.ref ? ` (at ${problem.ref})` : "";
  const agent = problem.agent ? ` [${problem.agent}]` : "";
  return `${problem.file ?? problem.path}:${problem.line}${ref}: ${problem.level}: ${problem.message}${agent}`;
}

/** How the JSON report names the working tree as a ref (app/load/read-registry.ts `WORKTREE`; docs/affected-json.md). */
const WORKTREE_REF = "WORKTREE";

/** Whether a report's ref is the working tree, which text and markdown call by name rather than as a ref. */
export function isWorktreeRef(ref: string): boolean {
  return ref === WORKTREE_REF;
}

/** A ref as a person reads it: `main`, or "the working tree". */
function shownRef(ref: string): string {
  return isWorktreeRef(ref) ? "the working tree" : ref;
}

/** The affected report for a terminal. */
export function renderText(report: AffectedReport): string {
  const s = report.summary;
  const out = [
    `blastgate: ${plural(s.changes, "change")}, ${plural(s.affected, "agent")} affected, ${s.unaffected} pinned out, ${plural(s.errors, "error")}, ${plural(s.warnings, "warning")} (${shownRef(report.base)} → ${shownRef(report.head)}, ${plural(s.agents, "agent")} read${s.refused > 0 ? `, ${plural(s.refused, "file")} refused` : ""})`,
  ];
  if (report.changes.length > 0) {
    out.push("", "Changes");
    for (const change of report.changes) {
      const flags = change.flags.length > 0 ? `  [${change.flags.join(", ")}]` : "";
      out.push(`  ${change.asset}  ${change.from ?? "(none)"} → ${change.to ?? "(removed)"}${change.bump ? `  ${change.bump}` : ""}${flags}  (${plural(change.consumers, "consumer")})`);
      for (const detail of change.details) out.push(`      ${detail}`);
      if (change.gainedBy.length > 0) out.push(`      ${plural(change.gainedBy.length, "agent")} ${change.gainedBy.length === 1 ? "gains" : "gain"} ${change.scopesAdded.join(", ")}: ${change.gainedBy.join(", ")}`);
    }
  }
  if (report.affected.length > 0) {
    out.push("", "Affected");
    for (const tier of ["production", "staging", "experimental"] as const) {
      const agents = report.affected.filter((agent) => agent.tier === tier);
      if (agents.length === 0) continue;
      out.push(`  ${tier}`);
      for (const agent of agents) {
        const status = agent.status.head === "unsatisfiable" ? "  UNSATISFIABLE at head" : "";
        out.push(`    ${agent.agent} (${agent.team})${status}`);
        for (const move of agent.moves) {
          out.push(`      ${move.asset}  ${move.from ?? "(none)"} → ${move.to ?? "(none)"}${move.from === move.to && move.contentChanged ? "  (content changed)" : ""}`);
        }
        for (const path of agent.paths) out.push(`      via ${path.join(" → ")}`);
      }
    }
  }
  if (report.unaffected.length > 0) {
    out.push("", "Pinned out");
    for (const row of report.unaffected) out.push(`  ${row.agent} (${row.team}, ${row.tier})  ${row.asset}: ${row.reason}`);
  }
  if (report.problems.length > 0) {
    out.push("", "Problems");
    for (const problem of report.problems) out.push(`  ${formatProblem(problem)}`);
  }
  return out.join("\n") + "\n";
}
