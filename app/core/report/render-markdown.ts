import type { LocatedAffectedReport as AffectedReport } from "../../../schemas/affected-report.schema.ts";
import { codeSpan } from "../code-span.ts";
import { plural } from "./plural.ts";
import { isWorktreeRef } from "./render-text.ts";

/** GitHub's limit on an issue or PR comment body. */
export const COMMENT_LIMIT = 65_536;
/** The hidden marker that finds blastgate's sticky comment again. */
export const COMMENT_MARKER = "<!-- blastgate:affected -->";

type Affected = AffectedReport["affected"][number];
const tiers = ["production", "staging", "experimental"] as const;

/** How much detail a rendering keeps; each step down makes a large radius fit. */
interface Detail {
  readonly rowsPerTier: number;
  readonly pathsPerAgent: number;
  readonly unaffectedRows: number;
  readonly problemRows: number;
  readonly graphNodes: number;
}

const detailSteps: readonly Detail[] = [
  { rowsPerTier: Infinity, pathsPerAgent: 3, unaffectedRows: Infinity, problemRows: 100, graphNodes: 40 },
  { rowsPerTier: 200, pathsPerAgent: 1, unaffectedRows: 100, problemRows: 50, graphNodes: 30 },
  { rowsPerTier: 60, pathsPerAgent: 1, unaffectedRows: 30, problemRows: 20, graphNodes: 20 },
  { rowsPerTier: 15, pathsPerAgent: 1, unaffectedRows: 10, problemRows: 10, graphNodes: 12 },
];

/**
 * Renders the PR comment: summary, changes, affected agents by tier, a mermaid graph of
 * the blast radius, pinned-out agents, problems, and the command to reproduce it.
 * Detail is shed step by step until the body fits GitHub's comment limit.
 */
export function renderMarkdown(report: AffectedReport, options: { command?: string; limit?: number } = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  for (const detail of detailSteps) {
    const body = renderWith(report, detail, options.command);
    if (body.length <= limit) return body;
  }
  const body = renderWith(report, detailSteps[detailSteps.length - 1]!, options.command);
  const note = "\n\n_…cut to fit GitHub's comment limit; run the command above or read the JSON report for the rest._\n";
  return body.slice(0, limit - note.length) + note;
}

function renderWith(report: AffectedReport, detail: Detail, command: string | undefined): string {
  const out: string[] = [COMMENT_MARKER, `### blastgate: ${headline(report)}`, "", summaryLine(report), ""];
  out.push(...renderChanges(report));
  out.push(...renderAffected(report, detail));
  out.push(...renderGraph(report, detail));
  out.push(...renderUnaffected(report, detail));
  out.push(...renderProblems(report, detail));
  if (command) out.push("", `<sub>Reproduce locally: ${code(command)}</sub>`);
  return out.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}


function headline(report: AffectedReport): string {
  const { changes, affected } = report.summary;
  if (changes === 0) return "no changes to shared servers, skills or models";
  return `${plural(affected, "agent")} affected by ${plural(changes, "change")}`;
}

function summaryLine(report: AffectedReport): string {
  const byTier = tiers.map((tier) => [tier, report.affected.filter((agent) => agent.tier === tier).length] as const).filter(([, n]) => n > 0);
  const parts = [
    `**${plural(report.summary.affected, "affected agent")}**${byTier.length > 0 ? ` (${byTier.map(([tier, n]) => `${n} ${tier}`).join(", ")})` : ""}`,
    `${report.summary.unaffected} pinned out`,
    `${plural(report.summary.agents, "agent")} read${report.summary.refused > 0 ? `, ${plural(report.summary.refused, "file")} refused` : ""}`,
    `${report.summary.errors > 0 ? "❌ " : ""}${plural(report.summary.errors, "error")}, ${plural(report.summary.warnings, "warning")}`,
  ];
  return `${parts.join(" · ")} — ${shownRef(report.base)} → ${shownRef(report.head)}`;
}

/** A ref in code, or "the working tree" in words. */
function shownRef(ref: string): string {
  return isWorktreeRef(ref) ? "the working tree" : code(ref);
}

function renderChanges(report: AffectedReport): string[] {
  if (report.changes.length === 0) return [];
  const out = ["#### Changes", "", "| Asset | From → To | Bump | Flags | Consumers |", "| --- | --- | --- | --- | ---: |"];
  for (const change of report.changes) {
    out.push(
      `| ${code(change.asset, "cell")} | ${versionCell(change.from)} → ${versionCell(change.to)} | ${change.bump ?? "—"} | ${change.flags.map((flag) => flagBadge(flag)).join(" ") || "—"} | ${change.consumers} |`,
    );
  }
  const notes = report.changes.flatMap((change) => change.details.map((detail) => `- ${code(change.asset)}: ${message(detail)}`));
  if (notes.length > 0) out.push("", ...notes);
  const scopes = report.changes.filter((change) => change.scopesAdded.length > 0);
  for (const change of scopes) {
    const who = change.gainedBy.length === 0 ? "no agent yet" : `${plural(change.gainedBy.length, "agent")} (${change.gainedBy.slice(0, 20).map((name) => code(name)).join(", ")}${change.gainedBy.length > 20 ? ", …" : ""})`;
    out.push("", `> [!WARNING]\n> **Security review:** ${who} gain ${change.scopesAdded.map((scope) => code(scope)).join(", ")} through ${code(change.asset)}.`);
  }
  return [...out, ""];
}

const loudFlags = new Set(["breaking", "breaking-under-minor", "breaking-under-patch", "content-changed-without-bump", "disallowed-model", "unreadable"]);
function flagBadge(flag: string): string {
  return loudFlags.has(flag) ? `**${code(flag, "cell")}**` : code(flag, "cell");
}

function versionCell(version: string | null): string {
  return version === null ? "—" : code(version, "cell");
}

function renderAffected(report: AffectedReport, detail: Detail): string[] {
  if (report.affected.length === 0) {
    return report.changes.length === 0 ? [] : ["#### Affected agents", "", "No agent resolves differently: every consumer stays on its current versions.", ""];
  }
  const out = ["#### Affected agents", ""];
  for (const tier of tiers) {
    const agents = report.affected.filter((agent) => agent.tier === tier);
    if (agents.length === 0) continue;
    out.push(`<details${tier === "production" || report.affected.length <= 20 ? " open" : ""}><summary><b>${tier}</b> (${agents.length})</summary>`, "");
    out.push("| Agent | Team | Moves | Why |", "| --- | --- | --- | --- |");
    for (const agent of agents.slice(0, detail.rowsPerTier)) out.push(affectedRow(agent, detail));
    if (agents.length > detail.rowsPerTier) out.push(`| …and ${agents.length - detail.rowsPerTier} more | | | |`);
    out.push("", "</details>", "");
  }
  return out;
}

function affectedRow(agent: Affected, detail: Detail): string {
  const moves = agent.moves
    .map((move) => `${code(move.asset, "cell")} ${versionCell(move.from)} → ${versionCell(move.to)}${move.from === move.to && move.contentChanged ? " (content)" : ""}`)
    .join("<br>");
  const paths = agent.paths.slice(0, detail.pathsPerAgent).map((path) => path.map((id) => code(id, "cell")).join(" → "));
  if (agent.paths.length > detail.pathsPerAgent) paths.push(`+${agent.paths.length - detail.pathsPerAgent} more`);
  const status = agent.status.head === "unsatisfiable" ? " ❌ unsatisfiable" : "";
  return `| ${code(agent.agent, "cell")}${status} | ${text(agent.team, "cell")} | ${moves} | ${paths.join("<br>")} |`;
}

/**
 * A mermaid graph from agents (or, for large radii, teams or tiers) through the
 * dependency path to each changed asset.
 */
function renderGraph(report: AffectedReport, detail: Detail): string[] {
  if (report.affected.length === 0) return [];
  const level = report.affected.length <= detail.graphNodes ? "agent" : new Set(report.affected.map((a) => a.team)).size <= detail.graphNodes ? "team" : "tier";
  const groups = new Map<string, Affected[]>();
  for (const agent of report.affected) {
    const key = level === "agent" ? agent.agent : level === "team" ? agent.team : agent.tier;
    groups.set(key, [...(groups.get(key) ?? []), agent]);
  }
  const ids = new Map<string, string>();
  const node = (key: string) => {
    if (!ids.has(key)) ids.set(key, `n${ids.size}`);
    return ids.get(key)!;
  };
  const nodes: string[] = [];
  const edges = new Set<string>();
  const changed = new Set(report.changes.map((change) => change.asset));
  for (const [key, agents] of groups) {
    const label = level === "agent" ? key : `${level === "team" ? "team " : ""}${key}: ${plural(agents.length, "agent")}`;
    nodes.push(`  ${node(`group:${key}`)}["${mermaidText(label)}"]:::agent`);
    for (const agent of agents) {
      for (const path of agent.paths) {
        let from = node(`group:${key}`);
        for (const asset of path) {
          const to = node(`asset:${asset}`);
          edges.add(`  ${from} --> ${to}`);
          from = to;
        }
      }
    }
  }
  for (const [key, id] of ids) {
    if (!key.startsWith("asset:")) continue;
    const asset = key.slice("asset:".length);
    const change = report.changes.find((c) => c.asset === asset);
    const label = change ? `${asset}<br>${change.from ?? "new"} → ${change.to ?? "removed"}` : asset;
    nodes.push(`  ${id}["${mermaidText(label)}"]${changed.has(asset) ? ":::changed" : ""}`);
  }
  const title = level === "agent" ? "" : ` (grouped by ${level}: ${plural(report.affected.length, "agent")})`;
  return [
    `<details><summary>Blast radius graph${title}</summary>`,
    "",
    "```mermaid",
    "graph LR",
    "  classDef changed fill:#ffe3e3,stroke:#c92a2a",
    "  classDef agent fill:#e7f5ff,stroke:#1c7ed6",
    ...nodes,
    ...[...edges].sort(),
    "```",
    "",
    "</details>",
    "",
  ];
}

function renderUnaffected(report: AffectedReport, detail: Detail): string[] {
  if (report.unaffected.length === 0) return [];
  const out = [
    `<details><summary>Pinned out of the change (${report.unaffected.length})</summary>`,
    "",
    "| Agent | Tier | Asset | Stays on | Held by |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const row of report.unaffected.slice(0, detail.unaffectedRows)) {
    out.push(`| ${code(row.agent, "cell")} | ${row.tier} | ${code(row.asset, "cell")} | ${code(row.version, "cell")} | ${code(row.range, "cell")} |`);
  }
  if (report.unaffected.length > detail.unaffectedRows) out.push(`| …and ${report.unaffected.length - detail.unaffectedRows} more | | | | |`);
  return [...out, "", "</details>", ""];
}

function renderProblems(report: AffectedReport, detail: Detail): string[] {
  if (report.problems.length === 0) return [];
  const out = [`#### Problems (${plural(report.summary.errors, "error")}, ${plural(report.summary.warnings, "warning")})`, ""];
  for (const problem of report.problems.slice(0, detail.problemRows)) {
    const where = `${problem.file}:${problem.line}${problem.ref ? ` @ ${problem.ref}` : ""}`;
    out.push(`- ${problem.level === "error" ? "❌" : "⚠️"} ${code(where)}${problem.agent ? ` (${text(problem.agent)})` : ""}: ${message(problem.message)}`);
  }
  if (report.problems.length > detail.problemRows) out.push(`- …and ${report.problems.length - detail.problemRows} more`);
  return [...out, ""];
}

/*
 * Text from files is data. GitHub shows a code span literally, so inside one nothing is
 * escaped (an entity or a zero-width space would show up, and break copy-paste); it only
 * needs a backtick fence longer than any run inside, and `\|` in a table cell, where GFM
 * splits cells before it reads code spans. Outside code spans, HTML and markdown are
 * escaped and @mentions are kept from pinging anyone.
 */

/** A code span that shows `value` as it is. */
function code(value: string, where: "cell" | "text" = "text"): string {
  const span = codeSpan(value);
  return where === "cell" ? span.replace(/\|/g, "\\|") : span;
}

/** Plain text: no HTML, no markdown, no mentions, one line. */
export function text(value: string, where: "cell" | "text" = "text"): string {
  const escaped = value
    .replace(/\r?\n|\r/g, " ")
    .replace(/[<>&]/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[char]!)
    .replace(/[\\`*_[\]~]/g, "\\$&")
    // GitHub links `@name` and `@org/team` after the start or a non-word character; `x@1.0.0` is no mention.
    .replace(/(^|[^A-Za-z0-9_])@(?=[A-Za-z0-9])/g, "$1@\u200b");
  return where === "cell" ? escaped.replace(/\|/g, "\\|") : escaped;
}

/**
 * A problem message or change detail: its `code spans` shown as they are, the rest as
 * plain text. Code spans are found as CommonMark finds them: a backtick run closed by the
 * next run of the same length; a run without a partner is a literal backtick.
 */
export function message(value: string, where: "cell" | "text" = "text"): string {
  const runs = [...value.matchAll(/`+/g)].map((match) => ({ at: match.index, length: match[0].length }));
  let out = "";
  let cursor = 0;
  for (let i = 0; i < runs.length; i++) {
    const open = runs[i]!;
    if (open.at < cursor) continue;
    const close = runs.slice(i + 1).find((run) => run.length === open.length);
    if (!close) continue;
    let content = value.slice(open.at + open.length, close.at).replace(/\r?\n|\r/g, " ");
    if (content.startsWith(" ") && content.endsWith(" ") && content.trim() !== "") content = content.slice(1, -1);
    out += text(value.slice(cursor, open.at), where) + code(content, where);
    cursor = close.at + close.length;
    i = runs.indexOf(close);
  }
  return out + text(value.slice(cursor), where);
}

function mermaidText(text: string): string {
  return text.replace(/"/g, "#quot;");
}
