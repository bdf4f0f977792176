import { agentManifestSchema } from "../../../schemas/agent.schema.ts";
import { modelsConfigSchema, type ModelsConfig } from "../../../schemas/models.schema.ts";
import { overlayFrontmatterSchema } from "../../../schemas/overlay.schema.ts";
import { serverManifestSchema } from "../../../schemas/server.schema.ts";
import { requirementPattern, skillFrontmatterSchema } from "../../../schemas/skill.schema.ts";
import { kebabName } from "../../../schemas/common.ts";
import semver from "semver";
import { listHeadings, splitFrontmatter } from "../files/markdown-sections.ts";
import { assetId, type AgentFacts, type AssetVersion, type OverlayFacts, type Requirement } from "./model.ts";
import { closest, parseYamlFile, type LineLookup, type ParseResult } from "../files/parse-yaml.ts";
import { problemAt, type Problem, type SourceLocation } from "../problems.ts";

/** A parse that found what it could: a value (or null when unusable) and every problem. */
export interface Parsed<T> {
  readonly value: T | null;
  readonly problems: readonly Problem[];
}

/** File text with where it came from. */
export interface TextFile extends SourceLocation {
  readonly text: string;
}

/** The facts of one asset version before the caller stamps its content hash and origin. */
export type AssetVersionDraft = Omit<AssetVersion, "contentHash" | "origin">;

/**
 * A `name` that is well formed but differs from the asset's folder. It is checked on the
 * file's data even when other fields fail the schema, so both are reported at once.
 */
function checkNameMatchesFolder(
  parsed: ParseResult<unknown>,
  folder: string,
  file: SourceLocation,
  lineOffset: number,
  describe: (name: string) => string,
): Problem[] {
  const data = parsed.kind === "ok" ? parsed.value : parsed.data;
  const lineOf = parsed.lineOf;
  const name = data !== null && typeof data === "object" ? (data as Record<string, unknown>).name : undefined;
  // A malformed name is already reported by the schema; comparing it with the folder would say the same twice.
  if (typeof name !== "string" || name === folder || !kebabName.safeParse(name).success || !lineOf) return [];
  return [problemAt(file, lineOf(["name"]) + lineOffset, "error", "name-mismatch", describe(name))];
}

/** Parses `servers/<folder>/server.yaml`. */
export function parseServerManifest(file: TextFile, folder: string): Parsed<AssetVersionDraft> {
  const parsed = parseYamlFile(file, serverManifestSchema, "a server.yaml");
  const mismatch = checkNameMatchesFolder(parsed, folder, file, 0, (name) =>
    `expected \`name\` to be \`${folder}\`, the server's folder; got \`${name}\`. Rename the folder or the server so they match`,
  );
  if (parsed.kind === "invalid") return { value: null, problems: [...parsed.problems, ...mismatch] };
  const manifest = parsed.value;
  const id = assetId("server", manifest.name);
  const requires: Requirement[] = Object.entries(manifest.dependsOn?.servers ?? {}).map(([name, range]) => ({
    asset: assetId("server", name),
    range,
    source: file,
    line: parsed.lineOf(["dependsOn", "servers", name]),
  }));
  const problems = [...parsed.warnings, ...mismatch, ...checkSelfRequirement(id, requires, file), ...checkTools(manifest.tools, manifest.scopes, file, parsed.lineOf)];
  // A server whose name is not its folder's cannot be told apart from the one the folder names.
  if (mismatch.length > 0) return { value: null, problems };
  return {
    value: { id, kind: "server", name: manifest.name, version: manifest.version, versionLine: parsed.lineOf(["version"]), requires: requires.filter((r) => r.asset !== id), source: file, server: manifest },
    problems,
  };
}

function checkTools(
  tools: readonly { name: string; inputSchema: Record<string, unknown>; scopes: readonly string[] }[],
  scopes: readonly string[],
  file: SourceLocation,
  lineOf: LineLookup,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  tools.forEach((tool, index) => {
    if (seen.has(tool.name)) {
      problems.push(problemAt(file, lineOf(["tools", index, "name"]), "error", "duplicate-tool", `tool \`${tool.name}\` is listed twice; tool names must be unique`));
    }
    seen.add(tool.name);
    if (tool.inputSchema.type !== "object") {
      problems.push(
        problemAt(file, lineOf(["tools", index, "inputSchema"]), "error", "schema", `expected \`tools[${index}].inputSchema.type\` to be \`object\` (MCP tool inputs are objects); got \`${String(tool.inputSchema.type)}\``),
      );
    }
    tool.scopes.forEach((scope, scopeIndex) => {
      if (!scopes.includes(scope)) {
        problems.push(
          problemAt(file, lineOf(["tools", index, "scopes", scopeIndex]), "error", "unknown-scope", `tool \`${tool.name}\` needs scope \`${scope}\`, which the server's \`scopes\` does not list; add it there or fix the name`),
        );
      }
    });
  });
  return problems;
}

function checkSelfRequirement(id: string, requires: readonly Requirement[], file: SourceLocation): Problem[] {
  return requires
    .filter((requirement) => requirement.asset === id)
    .map((requirement) => problemAt(file, requirement.line, "error", "self-dependency", `\`${id}\` depends on itself; remove that entry`));
}

/** Parses `skills/<folder>/SKILL.md`: frontmatter per the Agent Skills spec plus the body's headings. */
export function parseSkillFile(file: TextFile, folder: string): Parsed<AssetVersionDraft> {
  const { frontmatter, body } = splitFrontmatter(file.text);
  if (frontmatter === null) {
    return {
      value: null,
      problems: [
        problemAt(file, 1, "error", "schema",
          "has no YAML frontmatter; start SKILL.md with `---`, then `name`, `description`, `metadata.version` and `metadata.owner`, then `---` (like `metadata: { version: 1.0.0, owner: support-platform }`)"),
      ],
    };
  }
  const parsed = parseYamlFile({ ...file, text: frontmatter, lineOffset: 1 }, skillFrontmatterSchema, "SKILL.md frontmatter");
  const mismatch = checkNameMatchesFolder(parsed, folder, file, 1, (name) =>
    `expected \`name\` to be \`${folder}\`, the skill's folder; got \`${name}\`. The Agent Skills spec requires them to match`,
  );
  if (parsed.kind === "invalid") {
    // `metadata.requires` is its own small language; its entries are checked whatever else is wrong.
    const metadata = (parsed.data as { metadata?: unknown } | undefined)?.metadata;
    const requires = metadata !== null && typeof metadata === "object" ? (metadata as Record<string, unknown>).requires : undefined;
    const requiresProblems = typeof requires === "string" && parsed.lineOf ? parseRequires(requires, file, parsed.lineOf(["metadata", "requires"]) + 1).problems : [];
    return { value: null, problems: [...parsed.problems, ...mismatch, ...requiresProblems] };
  }
  const lineOf: LineLookup = (path, options) => parsed.lineOf(path, options) + 1;
  const fm = parsed.value;
  const id = assetId("skill", fm.name);
  const { requirements, problems } = parseRequires(fm.metadata.requires, file, lineOf(["metadata", "requires"]));
  problems.unshift(...mismatch);
  problems.push(...checkSelfRequirement(id, requirements, file));
  if (mismatch.length > 0) return { value: null, problems };
  return {
    value: {
      id,
      kind: "skill",
      name: fm.name,
      version: fm.metadata.version,
      versionLine: lineOf(["metadata", "version"]),
      requires: requirements.filter((r) => r.asset !== id),
      source: file,
      skill: { frontmatter: fm, headings: listHeadings(body) },
    },
    problems,
  };
}

/** Parses `metadata.requires`: `server:crm@^2.1.0, skill:tone-guide@^1.0.0`. */
export function parseRequires(text: string | undefined, file: SourceLocation, line: number): { requirements: Requirement[]; problems: Problem[] } {
  const requirements: Requirement[] = [];
  const problems: Problem[] = [];
  if (text === undefined || text.trim() === "") return { requirements, problems };
  const seen = new Set<string>();
  for (const entry of text.split(",").map((part) => part.trim())) {
    const match = requirementPattern.exec(entry);
    if (!match || semver.validRange(match[3]!) === null) {
      problems.push(
        problemAt(file, line, "error", "schema", `expected each \`metadata.requires\` entry to be \`server:<name>@<range>\` or \`skill:<name>@<range>\` (like \`server:crm@^2.1.0\`); got \`${entry}\``),
      );
      continue;
    }
    const id = assetId(match[1] as "server" | "skill", match[2]!);
    if (seen.has(id)) {
      problems.push(problemAt(file, line, "error", "schema", `\`metadata.requires\` names \`${id}\` twice; keep one range`));
      continue;
    }
    seen.add(id);
    requirements.push({ asset: id, range: match[3]!, source: file, line });
  }
  return { requirements, problems };
}

/** Parses `models.yaml`, and checks that the default, aliases and replacements are allowed. */
export function parseModelsConfig(file: TextFile): Parsed<ModelsConfig> {
  const parsed = parseYamlFile(file, modelsConfigSchema, "a models.yaml");
  if (parsed.kind === "invalid") return { value: null, problems: parsed.problems };
  const models = parsed.value;
  const problems: Problem[] = [];
  const allowed = models.allowed;
  if (allowed) {
    const check = (model: string, path: PropertyKey[], what: string) => {
      if (!allowed.includes(model)) {
        const likely = closest(model, allowed);
        const fix = likely ? `did you mean \`${likely}\`? Otherwise add it to \`allowed\`` : "add it there or pick an allowed model";
        problems.push(problemAt(file, parsed.lineOf(path), "error", "disallowed-model", `${what} \`${model}\` is not in \`allowed\`; ${fix}`));
      }
    };
    check(models.default, ["default"], "the default model");
    for (const [alias, model] of Object.entries(models.aliases)) check(model, ["aliases", alias], `alias \`${alias}\` targets`);
  }
  if (models.aliases.default !== undefined) {
    problems.push(problemAt(file, parsed.lineOf(["aliases", "default"], { key: true }), "error", "schema", "`default` is reserved for the default model; name the alias something else"));
  }
  return { value: models, problems };
}

/** Parses a skill overlay: optional frontmatter, then `## ` sections. */
export function parseOverlay(file: TextFile, skill: string): Parsed<OverlayFacts> {
  const { frontmatter, body, bodyLine } = splitFrontmatter(file.text);
  let declaredReplaces: readonly string[] | undefined;
  if (frontmatter !== null) {
    const parsed = parseYamlFile({ ...file, text: frontmatter, lineOffset: 1 }, overlayFrontmatterSchema, "overlay frontmatter");
    if (parsed.kind === "invalid") return { value: null, problems: parsed.problems };
    if (parsed.value.skill !== undefined && parsed.value.skill !== skill) {
      return {
        value: null,
        problems: [problemAt(file, parsed.lineOf(["skill"]) + 1, "error", "overlay-mismatch", `this overlay says it is for skill \`${parsed.value.skill}\`, but agent.yaml uses it for \`${skill}\`; fix one of them`)],
      };
    }
    declaredReplaces = parsed.value.replaces;
  }
  const headings = new Map<string, number>();
  const lines = body.split("\n");
  for (const heading of listHeadings(body)) {
    const index = lines.findIndex((line) => /^##\s/.test(line) && line.replace(/^##\s+/, "").replace(/\s*#*\s*$/, "") === heading);
    if (!headings.has(heading)) headings.set(heading, bodyLine + Math.max(0, index));
  }
  const problems: Problem[] = [];
  if (headings.size === 0) {
    problems.push(problemAt(file, 1, "warning", "overlay-empty", "has no `## ` sections, so it changes nothing; add `## Heading` sections to replace or append"));
  }
  return { value: { source: file, headings, ...(declaredReplaces ? { declaredReplaces } : {}) }, problems };
}

/** An agent manifest parsed, with the overlay files it names (read by the caller). */
export interface AgentDraft {
  readonly facts: Omit<AgentFacts, "overlays">;
  /** Overlay paths by skill name, with the agent.yaml line naming each. */
  readonly overlayPaths: ReadonlyMap<string, { path: string; line: number }>;
}

/** Parses `agent.yaml`. */
export function parseAgentManifest(file: TextFile, repo: string): Parsed<AgentDraft> {
  const parsed = parseYamlFile(file, agentManifestSchema, "an agent.yaml");
  if (parsed.kind === "invalid") return { value: null, problems: parsed.problems };
  const manifest = parsed.value;
  const requirements: Requirement[] = [];
  const overlayPaths = new Map<string, { path: string; line: number }>();
  for (const [name, range] of Object.entries(manifest.servers)) {
    requirements.push({ asset: assetId("server", name), range, source: file, line: parsed.lineOf(["servers", name]) });
  }
  for (const [name, ref] of Object.entries(manifest.skills)) {
    const range = typeof ref === "string" ? ref : ref.version;
    const line = parsed.lineOf(typeof ref === "string" ? ["skills", name] : ["skills", name, "version"]);
    requirements.push({ asset: assetId("skill", name), range, source: file, line });
    if (typeof ref !== "string" && ref.overlay !== undefined) {
      overlayPaths.set(name, { path: ref.overlay, line: parsed.lineOf(["skills", name, "overlay"]) });
    }
  }
  return {
    value: {
      facts: {
        name: manifest.name,
        team: manifest.team,
        tier: manifest.tier,
        model: manifest.model,
        requirements,
        source: file,
        repo,
        modelLine: parsed.lineOf(["model"]),
        manifest,
      },
      overlayPaths,
    },
    problems: [],
  };
}
