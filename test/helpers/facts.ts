import type { ModelsConfig } from "../../schemas/models.schema.ts";
import type { ServerTool } from "../../schemas/server.schema.ts";
import type { AgentFacts, AssetId, AssetVersion, Requirement } from "../../app/core/registry/model.ts";
import { splitAssetId } from "../../app/core/registry/model.ts";
import { buildRegistryState, type RegistryHistory, type TreeSnapshot } from "../../app/core/registry/registry-state.ts";
import type { RegistryState } from "../../app/core/registry/model.ts";
import type { SourceLocation } from "../../app/core/problems.ts";

/** `{ "server:crm": "^2.0.0" }`: the ranges an agent or asset version states. */
export type Ranges = Readonly<Record<string, string>>;

/** A compact asset version: `requires` ranges, optional content tag (changes the hash), headings, and a server's tools/scopes. */
export interface VersionSpec {
  readonly requires?: Ranges;
  readonly content?: string;
  readonly headings?: readonly string[];
  readonly tools?: readonly ServerTool[];
  readonly scopes?: readonly string[];
}

/** `{ "server:crm": { "2.0.0": {}, "2.1.0": { requires: { "server:auth": "^1.0.0" } } } }`. */
export type VersionsSpec = Readonly<Record<string, Readonly<Record<string, VersionSpec>>>>;

function requirementsOf(ranges: Ranges | undefined, source: SourceLocation): Requirement[] {
  return Object.entries(ranges ?? {}).map(([asset, range], index) => ({ asset: asset as AssetId, range, source, line: index + 1 }));
}

/** Builds one asset version from its spec. */
export function version(id: string, v: string, spec: VersionSpec = {}, origin: AssetVersion["origin"] = "tag"): AssetVersion {
  const { kind, name } = splitAssetId(id as AssetId);
  const file = kind === "server" ? `servers/${name}/server.yaml` : `skills/${name}/SKILL.md`;
  const source: SourceLocation = origin === "tag" ? { repo: "registry", path: file, ref: `${kind}s/${name}@${v}` } : { repo: "registry", path: file };
  const base = {
    id: id as AssetId,
    kind,
    name,
    version: v,
    versionLine: 4,
    // Like a real tree hash, the content hash covers everything in the folder, requirements included.
    contentHash: `${id}@${v}#${spec.content ?? ""}#${JSON.stringify(spec.requires ?? {})}`,
    requires: requirementsOf(spec.requires, source),
    source,
    origin,
  };
  if (kind === "server") {
    return {
      ...base,
      server: {
        name, title: name, description: name, version: v, owner: "platform", lifecycle: "production",
        packages: [], remotes: [], scopes: [...(spec.scopes ?? [])], guarantees: {}, tools: [...(spec.tools ?? [])],
      },
    };
  }
  return {
    ...base,
    skill: {
      frontmatter: { name, description: name, metadata: { version: v, owner: "platform" } },
      headings: [...(spec.headings ?? [])],
    },
  };
}

/** Tags from a versions spec. */
export function tags(spec: VersionsSpec): Map<AssetId, AssetVersion[]> {
  return new Map(Object.entries(spec).map(([id, versions]) => [id as AssetId, Object.entries(versions).map(([v, s]) => version(id, v, s))]));
}

/** A tree holding one version per asset: `{ "server:crm": ["2.1.0", spec?] }`. */
export function tree(spec: Readonly<Record<string, readonly [string, VersionSpec?]>>, models: ModelsConfig | null = defaultModels, origin: "base" | "head" = "base"): TreeSnapshot {
  return {
    assets: new Map(Object.entries(spec).map(([id, [v, s]]) => [id as AssetId, version(id, v, s, origin)])),
    models,
    modelsSource: { repo: "registry", path: "models.yaml" },
  };
}

export const defaultModels: ModelsConfig = {
  default: "claude-sonnet-4-5",
  aliases: { fast: "claude-haiku-4-5" },
  deprecated: {},
};

/** A registry state with every version in `spec` published, and `models`. */
export function state(spec: VersionsSpec, models: ModelsConfig | null = defaultModels): RegistryState {
  return buildRegistryState(tags(spec), { assets: new Map(), models, modelsSource: { repo: "registry", path: "models.yaml" } });
}

/** A history: tags plus base and head trees. */
export function history(tagSpec: VersionsSpec, base: TreeSnapshot, head: TreeSnapshot): RegistryHistory {
  return { tags: tags(tagSpec), base, head };
}

/** An agent with direct ranges, `model: default` unless given, tier production, team `t`. */
export function agent(name: string, ranges: Ranges, options: Partial<Pick<AgentFacts, "model" | "tier" | "team" | "overlays">> = {}): AgentFacts {
  const source: SourceLocation = { repo: `agents/${name}`, path: "agent.yaml" };
  return {
    name,
    team: options.team ?? "t",
    tier: options.tier ?? "production",
    model: options.model ?? "default",
    requirements: requirementsOf(ranges, source),
    overlays: options.overlays ?? new Map(),
    source,
    repo: `agents/${name}`,
    modelLine: 5,
    manifest: { name, team: options.team ?? "t", tier: options.tier ?? "production", model: options.model ?? "default", servers: {}, skills: {} },
  };
}
