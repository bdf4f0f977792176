import semver from "semver";
import type { ModelsConfig } from "../../../schemas/models.schema.ts";
import type { AssetId, AssetVersion, RegistryState } from "./model.ts";
import type { Problem, SourceLocation } from "../problems.ts";

/** The registry's tree at one ref: the assets it holds and its models.yaml. */
export interface TreeSnapshot {
  readonly assets: ReadonlyMap<AssetId, AssetVersion>;
  /** Null when models.yaml is missing or could not be read (a problem says why). */
  readonly models: ModelsConfig | null;
  readonly modelsSource: SourceLocation;
  /** Assets whose folder is in the tree but whose manifest could not be read (a problem says why). */
  readonly unreadable?: ReadonlySet<AssetId>;
}

/** Every published version (from tags) and the base and head trees. */
export interface RegistryHistory {
  /** Tagged versions of each asset, in any order. */
  readonly tags: ReadonlyMap<AssetId, readonly AssetVersion[]>;
  /** Problems of tagged versions left out of resolution, by asset: why a requirement finds nothing. */
  readonly leftOut?: ReadonlyMap<AssetId, readonly Problem[]>;
  readonly base: TreeSnapshot;
  readonly head: TreeSnapshot;
}

/**
 * The registry as one ref sees it: every tagged version plus the versions in that ref's
 * tree. Where the tree holds an already-tagged version with other content, the tree wins
 * (it is what the ref proposes); the classifier reports it as changed without a bump.
 */
export function buildRegistryState(tags: RegistryHistory["tags"], tree: TreeSnapshot, leftOut: RegistryHistory["leftOut"] = new Map()): RegistryState {
  const assets = new Map<AssetId, AssetVersion[]>();
  const ids = new Set<AssetId>([...tags.keys(), ...tree.assets.keys()]);
  for (const id of ids) {
    const byVersion = new Map<string, AssetVersion>();
    for (const version of tags.get(id) ?? []) byVersion.set(version.version, version);
    const current = tree.assets.get(id);
    if (current) byVersion.set(current.version, current);
    assets.set(id, highestFirst([...byVersion.values()]));
  }
  return { assets, tree: tree.assets, models: tree.models, modelsSource: tree.modelsSource, leftOut, unreadable: tree.unreadable ?? new Set() };
}

/** Sorts versions highest first, as `semver.rcompare` orders them: plain versions on their numbers, any other pair through semver. */
function highestFirst(versions: AssetVersion[]): AssetVersion[] {
  if (versions.length < 2) return versions;
  const compare = (a: AssetVersion, b: AssetVersion): number => {
    const x = plainVersion(a.version);
    if (x === null) return semver.rcompare(a.version, b.version);
    // Read before the next call reuses the array.
    const major = x[0];
    const minor = x[1];
    const patch = x[2];
    const y = plainVersion(b.version);
    if (y === null) return semver.rcompare(a.version, b.version);
    return y[0] - major || y[1] - minor || y[2] - patch;
  };
  // Lists mostly arrive in order, highest or lowest first: a stable sort would leave the first as
  // it is, and reverse the second when no two versions compare equal.
  let ascending = true;
  let descending = true;
  for (let at = 1; at < versions.length && (ascending || descending); at++) {
    const order = compare(versions[at - 1]!, versions[at]!);
    if (order > 0) descending = false;
    if (order <= 0) ascending = false;
  }
  if (descending) return versions;
  if (ascending) return versions.reverse();
  return versions.sort(compare);
}

const plainNumbers: [number, number, number] = [0, 0, 0];

/**
 * A plain `M.m.p` (no prerelease or build; numbers without leading zeros, at most 9 digits
 * so they stay exact) as its three numbers, in an array reused by the next call; else null.
 */
export function plainVersion(text: string): readonly [number, number, number] | null {
  let part = 0;
  let digits = 0;
  let value = 0;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === 0x2e) {
      if (digits === 0 || part === 2) return null;
      plainNumbers[part++] = value;
      digits = 0;
      value = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      if ((digits === 1 && value === 0) || digits === 9) return null;
      value = value * 10 + (code - 0x30);
      digits++;
    } else return null;
  }
  if (digits === 0 || part !== 2) return null;
  plainNumbers[2] = value;
  return plainNumbers;
}

/** True when an asset's published versions (or their content) differ between two states. */
export function assetDiffers(base: RegistryState, head: RegistryState, id: AssetId): boolean {
  const a = base.assets.get(id) ?? [];
  const b = head.assets.get(id) ?? [];
  if (a.length !== b.length) return true;
  return a.some((version, index) => version.version !== b[index]!.version || version.contentHash !== b[index]!.contentHash);
}

/**
 * The head tree with each asset whose manifest the head breaks taken as it is at base.
 * What the head proposes for it is unknown until the file parses; the problem blocks the
 * change, and the asset is neither reported as removed nor moves anyone.
 */
export function keepUnreadableAsBase(head: TreeSnapshot, base: TreeSnapshot): TreeSnapshot {
  const broken = [...(head.unreadable ?? [])].filter((id) => !head.assets.has(id) && base.assets.has(id));
  // A models.yaml the head breaks is taken as it is at base too: its one problem blocks,
  // instead of every agent on `default` or an alias moving to "no model".
  const keepModels = head.models === null && base.models !== null;
  if (broken.length === 0 && !keepModels) return head;
  const assets = new Map(head.assets);
  for (const id of broken) assets.set(id, base.assets.get(id)!);
  return { ...head, assets, ...(keepModels ? { models: base.models } : {}) };
}
