import semver from "semver";
import type { AgentFacts, AssetId, AssetVersion, RegistryState, Requirement } from "./model.ts";

/** One asset in an agent's resolved closure. */
export interface ResolvedAsset {
  readonly version: AssetVersion;
  /** Every range that reached this asset: the agent's own, or another resolved asset's. */
  readonly ranges: readonly Requirement[];
  /** Assets this version requires that are in the closure (the dependency edges). */
  readonly edges: readonly AssetId[];
}

/** An asset no published version can satisfy, with every range that reached it. */
export interface Conflict {
  readonly asset: AssetId;
  readonly ranges: readonly Requirement[];
  /** Versions that exist, highest first (empty when the asset does not exist). */
  readonly available: readonly string[];
}

/** How the agent's `model` resolved: `ref` is `model:default`, `model:alias:<name>` or `model:<id>`. */
export interface ModelResolution {
  readonly ref: string;
  /** The model id, or null when `ref` names an alias that does not exist. */
  readonly id: string | null;
}

/** An agent's dependencies resolved against one registry state. */
export interface Resolution {
  readonly status: "ok" | "unsatisfiable";
  readonly assets: ReadonlyMap<AssetId, ResolvedAsset>;
  readonly conflicts: readonly Conflict[];
  readonly model: ModelResolution;
}

/** Model ids start with `claude-`; any other name in agent.yaml is `default` or an alias. */
export function isModelId(name: string): boolean {
  return name.startsWith("claude-");
}

/** Resolves an agent's `model` against models.yaml. */
export function resolveModel(model: string, state: RegistryState): ModelResolution {
  if (model === "default") return { ref: "model:default", id: state.models?.default ?? null };
  if (isModelId(model)) return { ref: `model:${model}`, id: model };
  return { ref: `model:alias:${model}`, id: state.models?.aliases[model] ?? null };
}

// Converges within the closure's depth; a cap keeps a pathological registry from spinning.
const MAX_PASSES = 64;

// Parsed ranges, shared by every resolver: a registry repeats the same few range strings.
const parsedRanges = new Map<string, semver.Range>();
function parseRange(range: string): semver.Range {
  let parsed = parsedRanges.get(range);
  if (!parsed) parsedRanges.set(range, (parsed = new semver.Range(range)));
  return parsed;
}

const noVersions: readonly AssetVersion[] = [];

/**
 * Resolves agents against one registry state, memoising which versions satisfy which
 * range so that thousands of agents cost look-ups, not semver parses. Requirements in
 * registry manifests are shared objects, so the memo is keyed by the requirement itself
 * first (no string keys on the hot path), then by asset and range text.
 */
export function createResolver(state: RegistryState): (agent: Pick<AgentFacts, "requirements" | "model">) => Resolution {
  const byRequirement = new WeakMap<Requirement, ReadonlySet<AssetVersion>>();
  const byRange = new Map<AssetId, Map<string, ReadonlySet<AssetVersion>>>();
  const admitted = (requirement: Requirement): ReadonlySet<AssetVersion> => {
    let found = byRequirement.get(requirement);
    if (found) return found;
    let ranges = byRange.get(requirement.asset);
    if (!ranges) byRange.set(requirement.asset, (ranges = new Map()));
    found = ranges.get(requirement.range);
    if (!found) {
      // npm semantics: a prerelease only satisfies a range that names one of the same [major, minor, patch].
      const parsed = parseRange(requirement.range);
      found = new Set((state.assets.get(requirement.asset) ?? noVersions).filter((version) => parsed.test(version.version)));
      ranges.set(requirement.range, found);
    }
    byRequirement.set(requirement, found);
    return found;
  };
  const pickHighest = (asset: AssetId, ranges: readonly Requirement[]): AssetVersion | undefined => {
    // Versions are stored highest first, so the first that every range admits wins.
    candidates: for (const version of state.assets.get(asset) ?? noVersions) {
      for (const requirement of ranges) if (!admitted(requirement).has(version)) continue candidates;
      return version;
    }
    return undefined;
  };

  return (agent) => {
    let chosen = new Map<AssetId, AssetVersion>();
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      // Every range reachable from the manifest through the versions chosen so far.
      const ranges = new Map<AssetId, Requirement[]>();
      const queue: Requirement[] = [...agent.requirements];
      for (let index = 0; index < queue.length; index++) {
        const requirement = queue[index]!;
        const list = ranges.get(requirement.asset);
        if (list) {
          list.push(requirement);
          continue;
        }
        ranges.set(requirement.asset, [requirement]);
        const version = chosen.get(requirement.asset);
        if (version) queue.push(...version.requires);
      }
      const next = new Map<AssetId, AssetVersion>();
      const conflicts: Conflict[] = [];
      for (const [asset, list] of ranges) {
        const version = pickHighest(asset, list);
        if (version) next.set(asset, version);
        else conflicts.push({ asset, ranges: list, available: (state.assets.get(asset) ?? []).map((v) => v.version) });
      }
      if (sameChoices(chosen, next)) return buildResolution(next, ranges, conflicts, resolveModel(agent.model, state));
      chosen = next;
    }
    return {
      status: "unsatisfiable",
      assets: new Map(),
      conflicts: [...chosen.keys()].map((asset) => ({ asset, ranges: [], available: [] })),
      model: resolveModel(agent.model, state),
    };
  };
}

function sameChoices(a: ReadonlyMap<AssetId, AssetVersion>, b: ReadonlyMap<AssetId, AssetVersion>): boolean {
  if (a.size !== b.size) return false;
  for (const [asset, version] of a) if (b.get(asset) !== version) return false;
  return true;
}

function buildResolution(
  chosen: ReadonlyMap<AssetId, AssetVersion>,
  ranges: ReadonlyMap<AssetId, readonly Requirement[]>,
  conflicts: readonly Conflict[],
  model: ModelResolution,
): Resolution {
  const assets = new Map<AssetId, ResolvedAsset>();
  for (const [asset, version] of chosen) {
    assets.set(asset, {
      version,
      ranges: ranges.get(asset) ?? [],
      edges: version.requires.map((requirement) => requirement.asset).filter((target) => ranges.has(target)),
    });
  }
  return { status: conflicts.length > 0 || model.id === null ? "unsatisfiable" : "ok", assets, conflicts, model };
}

/** True when two resolutions of the same agent differ in any asset's version or content, the model, or satisfiability. */
export function resolutionsDiffer(a: Resolution, b: Resolution): boolean {
  if (a.status !== b.status || a.model.id !== b.model.id || a.assets.size !== b.assets.size) return true;
  for (const [asset, resolved] of a.assets) {
    const other = b.assets.get(asset);
    if (!other || other.version.version !== resolved.version.version || other.version.contentHash !== resolved.version.contentHash) return true;
  }
  return conflictKey(a) !== conflictKey(b);
}

function conflictKey(resolution: Resolution): string {
  return resolution.conflicts.map((conflict) => conflict.asset).sort().join(",");
}
