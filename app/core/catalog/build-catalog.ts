import semver from "semver";
import type { Catalog, CatalogServer, CatalogSkill, Dependents } from "../../../schemas/catalog.schema.ts";
import type { ServerTool } from "../../../schemas/server.schema.ts";
import type { AgentFacts, AssetId, AssetVersion, RegistryState } from "../registry/model.ts";
import { buildRegistryState, type RegistryHistory, type TreeSnapshot } from "../registry/registry-state.ts";
import { createResolver, type Resolution } from "../registry/resolve-agent.ts";
import { byText } from "../by-text.ts";

/** Everything `catalog` needs, already read from git and disk. */
export interface CatalogFacts {
  /** Tagged versions of each asset. */
  readonly tags: RegistryHistory["tags"];
  /** The registry's tree at the catalog's ref. */
  readonly tree: TreeSnapshot;
  readonly agents: readonly AgentFacts[];
  /** The ref as the user named it (`WORKTREE` for the working tree). */
  readonly ref: string;
}

type DependentAgent = Dependents["agents"][number];

/**
 * The catalog of a registry at one ref.
 *
 * 1. Build the registry state (tags plus the ref's tree) and resolve every agent in it.
 * 2. Index the resolutions by asset (who resolves to which version) and by model id.
 * 3. Describe each server and skill as of the ref's version (else its highest), with its dependents.
 * 4. Sort everything by name, so the same input always gives the same catalog.
 */
export function buildCatalog(facts: CatalogFacts): Catalog {
  const state = buildRegistryState(facts.tags, facts.tree);
  const resolve = createResolver(state);
  const agents = [...facts.agents].sort((a, b) => byText(a.name, b.name) || byText(a.team, b.team) || byText(a.repo, b.repo));
  const resolutions = agents.map((agent) => ({ agent, resolution: resolve(agent) }));

  const dependents = new Map<AssetId, DependentAgent[]>();
  const modelCounts = new Map<string, number>();
  for (const { agent, resolution } of resolutions) {
    for (const [id, resolved] of resolution.assets) {
      const list = dependents.get(id) ?? [];
      list.push({ agent: agent.name, team: agent.team, tier: agent.tier, version: resolved.version.version });
      dependents.set(id, list);
    }
    if (resolution.model.id !== null) modelCounts.set(resolution.model.id, (modelCounts.get(resolution.model.id) ?? 0) + 1);
  }
  const dependentsOf = (id: AssetId): Dependents => {
    const list = dependents.get(id) ?? [];
    return { count: list.length, agents: list };
  };

  const servers: CatalogServer[] = [];
  const skills: CatalogSkill[] = [];
  for (const id of [...state.assets.keys()].sort(byText)) {
    const shown = shownVersion(state, id);
    if (!shown) continue;
    const versions = (state.assets.get(id) ?? []).map((version) => version.version);
    const latest = state.tree.get(id)?.version ?? null;
    if (shown.server) servers.push(describeServer(shown, latest, versions, dependentsOf(id)));
    else if (shown.skill) skills.push(describeSkill(shown, latest, versions, dependentsOf(id)));
  }

  return {
    schemaVersion: 1,
    ref: facts.ref,
    servers,
    skills,
    models: describeModels(state, modelCounts),
    owners: describeOwners(servers, skills),
    agents: resolutions.map(({ agent, resolution }) => describeAgent(agent, resolution)),
  };
}

/**
 * The version a catalog entry (and its server.json) describes: the ref's own, else the
 * highest published, never a prerelease while a stable version is published.
 */
export function shownVersion(state: RegistryState, id: AssetId): AssetVersion | undefined {
  const versions = state.assets.get(id) ?? [];
  const fallback = highestPublished(versions.map((version) => version.version));
  return state.tree.get(id) ?? versions.find((version) => version.version === fallback);
}

/** Of versions highest first, the highest stable one, else the highest (all prereleases). */
export function highestPublished(versions: readonly string[]): string | undefined {
  return versions.find((version) => semver.prerelease(version) === null) ?? versions[0];
}

function describeServer(version: AssetVersion, latest: string | null, versions: string[], dependents: Dependents): CatalogServer {
  const server = version.server!;
  return {
    name: server.name,
    ...(server.mcpName === undefined ? {} : { mcpName: server.mcpName }),
    title: server.title ?? server.name,
    description: server.description,
    owner: server.owner,
    lifecycle: server.lifecycle,
    latest,
    versions,
    ...(server.websiteUrl === undefined ? {} : { websiteUrl: server.websiteUrl }),
    ...(server.repository === undefined ? {} : { repository: server.repository }),
    ...(server.icons === undefined ? {} : { icons: server.icons }),
    packages: server.packages,
    remotes: server.remotes,
    ...(server._meta === undefined ? {} : { _meta: server._meta }),
    scopes: [...server.scopes].sort(byText),
    guarantees: server.guarantees,
    tools: server.tools.map(describeTool).sort((a, b) => byText(a.name, b.name)),
    dependsOn: Object.entries(server.dependsOn?.servers ?? {})
      .map(([name, range]) => ({ server: name, range }))
      .sort((a, b) => byText(a.server, b.server)),
    dependents,
  };
}

function describeTool(tool: ServerTool): CatalogServer["tools"][number] {
  const required = tool.inputSchema.required;
  return {
    name: tool.name,
    description: tool.description,
    scopes: [...tool.scopes].sort(byText),
    requiredInputs: Array.isArray(required) ? required.filter((name): name is string => typeof name === "string").sort(byText) : [],
  };
}

function describeSkill(version: AssetVersion, latest: string | null, versions: string[], dependents: Dependents): CatalogSkill {
  const frontmatter = version.skill!.frontmatter;
  const allowedTools = frontmatter["allowed-tools"];
  return {
    name: frontmatter.name,
    description: frontmatter.description,
    owner: frontmatter.metadata.owner,
    latest,
    versions,
    // The parsed requirements, not the raw string: entries that did not parse are problems, not catalog facts.
    requires: version.requires.map((requirement) => ({ asset: requirement.asset, range: requirement.range })).sort((a, b) => byText(a.asset, b.asset)),
    allowedTools: allowedTools === undefined ? [] : allowedTools.split(/\s+/).filter(Boolean),
    dependents,
  };
}

function describeModels(state: RegistryState, counts: ReadonlyMap<string, number>): Catalog["models"] {
  const models = state.models;
  return {
    default: models?.default ?? null,
    aliases: sortedRecord(Object.entries(models?.aliases ?? {})),
    allowed: models?.allowed ? [...models.allowed].sort(byText) : null,
    deprecated: sortedRecord(Object.entries(models?.deprecated ?? {}).map(([id, entry]) => [id, { retires: entry.retires, replacement: entry.replacement }])),
    dependents: sortedRecord([...counts]),
  };
}

function describeOwners(servers: readonly CatalogServer[], skills: readonly CatalogSkill[]): Catalog["owners"] {
  const owners = new Map<string, { servers: string[]; skills: string[] }>();
  const entry = (team: string) => {
    let found = owners.get(team);
    if (!found) owners.set(team, (found = { servers: [], skills: [] }));
    return found;
  };
  // servers and skills arrive sorted by name, so each team's lists are too.
  for (const server of servers) entry(server.owner).servers.push(server.name);
  for (const skill of skills) entry(skill.owner).skills.push(skill.name);
  return sortedRecord([...owners]);
}

function describeAgent(agent: AgentFacts, resolution: Resolution): Catalog["agents"][number] {
  return { name: agent.name, team: agent.team, tier: agent.tier, model: resolution.model.id, status: resolution.status };
}

/** An object whose keys are inserted in code-unit order (the same on every machine, unlike localeCompare). */
function sortedRecord<T>(entries: readonly (readonly [string, T])[]): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => byText(a, b)));
}

