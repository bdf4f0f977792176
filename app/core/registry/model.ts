import type { AgentManifest } from "../../../schemas/agent.schema.ts";
import type { ModelsConfig } from "../../../schemas/models.schema.ts";
import type { ServerManifest } from "../../../schemas/server.schema.ts";
import type { SkillFrontmatter } from "../../../schemas/skill.schema.ts";
import type { Problem, SourceLocation } from "../problems.ts";

export type AssetKind = "server" | "skill";
/** `server:crm`, `skill:tone-guide`. */
export type AssetId = `${AssetKind}:${string}`;

/** Builds an asset id from its kind and name. */
export function assetId(kind: AssetKind, name: string): AssetId {
  return `${kind}:${name}`;
}

/** Splits `skill:tone-guide` into its kind and name. */
export function splitAssetId(id: AssetId): { kind: AssetKind; name: string } {
  const colon = id.indexOf(":");
  return { kind: id.slice(0, colon) as AssetKind, name: id.slice(colon + 1) };
}

/** One range on an asset, and who states it (the agent manifest, or another asset's version). */
export interface Requirement {
  readonly asset: AssetId;
  readonly range: string;
  /** Where the range is written, for problems. */
  readonly source: SourceLocation;
  readonly line: number;
}

/** One version of a shared asset, as read from a tag or from a branch's tree. */
export interface AssetVersion {
  readonly id: AssetId;
  readonly kind: AssetKind;
  readonly name: string;
  readonly version: string;
  /** Line of the version field in the manifest. */
  readonly versionLine: number;
  /** Hash of the asset folder's whole content (git's tree id of the folder). */
  readonly contentHash: string;
  readonly requires: readonly Requirement[];
  /** The manifest file (server.yaml or SKILL.md) and the ref it was read at. */
  readonly source: SourceLocation;
  /** Where it came from: a release tag, or the tree of the base or head ref. */
  readonly origin: "tag" | "base" | "head";
  readonly server?: ServerManifest;
  readonly skill?: SkillFacts;
}

/** What the core needs to know about a skill version beyond its frontmatter. */
export interface SkillFacts {
  readonly frontmatter: SkillFrontmatter;
  /** The `## ` headings of SKILL.md's body, in order. */
  readonly headings: readonly string[];
}

/** Every published version of every asset, as one registry state (base or head) sees it. */
export interface RegistryState {
  /** Versions of each asset, highest first. */
  readonly assets: ReadonlyMap<AssetId, readonly AssetVersion[]>;
  /** The version each asset has in this state's tree (the branch's latest), if it exists there. */
  readonly tree: ReadonlyMap<AssetId, AssetVersion>;
  readonly models: ModelsConfig | null;
  readonly modelsSource: SourceLocation;
  /** Problems of tagged versions left out of resolution, by asset. */
  readonly leftOut?: ReadonlyMap<AssetId, readonly Problem[]>;
  /** Assets whose folder is in this state's tree but whose manifest could not be read (its problem says why). */
  readonly unreadable?: ReadonlySet<AssetId>;
}

/**
 * True when a conflict only repeats a problem reported already: the asset has no usable
 * version because its own manifest in the tree could not be read. One cause, one message.
 */
export function followsFromUnreadable(conflict: { readonly asset: AssetId; readonly available: readonly string[] }, state: Pick<RegistryState, "unreadable">): boolean {
  return conflict.available.length === 0 && (state.unreadable?.has(conflict.asset) ?? false);
}

/** The skill overlay an agent layers on a shared skill. */
export interface OverlayFacts {
  readonly source: SourceLocation;
  /** `## ` headings the overlay defines, with their 1-based lines in the overlay file. */
  readonly headings: ReadonlyMap<string, number>;
  /** Headings the overlay's frontmatter says it replaces, when it says so. */
  readonly declaredReplaces?: readonly string[];
}

/** One agent repo's manifest, as the core needs it. */
export interface AgentFacts {
  readonly name: string;
  readonly team: string;
  readonly tier: AgentManifest["tier"];
  /** `default`, an alias, or a model id. */
  readonly model: string;
  readonly requirements: readonly Requirement[];
  /** Overlays by skill name. */
  readonly overlays: ReadonlyMap<string, OverlayFacts>;
  readonly source: SourceLocation;
  /** The agent repo, as its reader names it (the same as `source.repo`). */
  readonly repo: string;
  /** Line of `model:` in agent.yaml, for problems. */
  readonly modelLine: number;
  readonly manifest: AgentManifest;
}
