import type { LocatedAffectedReport as AffectedReport } from "../../../schemas/affected-report.schema.ts";

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
  if (command) out.push("", `<sub>Reproduce locally: \`${command.replace(/`/g, "'")}\`</sub>`);
  return out.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
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
  return `${parts.join(" · ")} — \`${escapeCode(report.base)}\` → \`${escapeCode(report.head)}\``;
}

function renderChanges(report: AffectedReport): string[] {
  if (report.changes.length === 0) return [];
  const out = ["#### Changes", "", "| Asset | From → To | Bump | Flags | Consumers |", "| --- | --- | --- | --- | ---: |"];
  for (const change of report.changes) {
    out.push(
      `| \`${change.asset}\` | ${versionCell(change.from)} → ${versionCell(change.to)} | ${change.bump ?? "—"} | ${change.flags.map((flag) => flagBadge(flag)).join(" ") || "—"} | ${change.consumers} |`,
    );
  }
  const notes = report.changes.flatMap((change) => change.details.map((detail) => `- \`${change.asset}\`: ${escapeText(detail)}`));
  if (notes.length > 0) out.push("", ...notes);
  const scopes = report.changes.filter((change) => change.scopesAdded.length > 0);
  for (const change of scopes) {
    const who = change.gainedBy.length === 0 ? "no agent yet" : `${plural(change.gainedBy.length, "agent")} (${change.gainedBy.slice(0, 20).map((name) => `\`${name}\``).join(", ")}${change.gainedBy.length > 20 ? ", …" : ""})`;
    out.push("", `> [!WARNING]\n> **Security review:** ${who} gain ${change.scopesAdded.map((scope) => `\`${scope}\``).join(", ")} through \`${change.asset}\`.`);
  }
  return [...out, ""];
}

const loudFlags = new Set(["breaking", "breaking-under-minor", "breaking-under-patch", "content-changed-without-bump", "disallowed-model"]);
function flagBadge(flag: string): string {
  return loudFlags.has(flag) ? `**\`${flag}\`**` : `\`${flag}\``;
}

function versionCell(version: string | null): string {
  return version === null ? "—" : `\`${escapeCode(version)}\``;
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
    .map((move) => `\`${move.asset}\` ${versionCell(move.from)} → ${versionCell(move.to)}${move.from === move.to && move.contentChanged ? " (content)" : ""}`)
    .join("<br>");
  const paths = agent.paths.slice(0, detail.pathsPerAgent).map((path) => path.map((id) => `\`${id}\``).join(" → "));
  if (agent.paths.length > detail.pathsPerAgent) paths.push(`+${agent.paths.length - detail.pathsPerAgent} more`);
  const status = agent.status.head === "unsatisfiable" ? " ❌ unsatisfiable" : "";
  return `| \`${agent.agent}\`${status} | ${escapeCell(agent.team)} | ${moves} | ${paths.join("<br>")} |`;
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
    out.push(`| \`${row.agent}\` | ${row.tier} | \`${row.asset}\` | \`${escapeCode(row.version)}\` | \`${escapeCode(row.range)}\` |`);
  }
  if (report.unaffected.length > detail.unaffectedRows) out.push(`| …and ${report.unaffected.length - detail.unaffectedRows} more | | | | |`);
  return [...out, "", "</details>", ""];
}

function renderProblems(report: AffectedReport, detail: Detail): string[] {
  if (report.problems.length === 0) return [];
  const out = [`#### Problems (${plural(report.summary.errors, "error")}, ${plural(report.summary.warnings, "warning")})`, ""];
  for (const problem of report.problems.slice(0, detail.problemRows)) {
    const where = `${problem.file}:${problem.line}${problem.ref ? ` @ ${problem.ref}` : ""}`;
    out.push(`- ${problem.level === "error" ? "❌" : "⚠️"} \`${escapeCode(where)}\`${problem.agent ? ` (${problem.agent})` : ""}: ${escapeText(problem.message)}`);
  }
  if (report.problems.length > detail.problemRows) out.push(`- …and ${report.problems.length - detail.problemRows} more`);
  return [...out, ""];
}

/** Text from files is data: no HTML, no table breaks, no stray mentions. */
export function escapeText(text: string): string {
  return text.replace(/[<>&]/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[char]!).replace(/@(?=[A-Za-z0-9])/g, "@\u200b").replace(/\r?\n/g, " ");
}

function escapeCell(text: string): string {
  return escapeText(text).replace(/\|/g, "\\|");
}

function escapeCode(text: string): string {
  return text.replace(/`/g, "'").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function mermaidText(text: string): string {
  return text.replace(/"/g, "#quot;");
}
