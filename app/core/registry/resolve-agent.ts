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

/**
 * Integer ids for asset ids and range texts, the parsed ranges, and for each distinct list
 * of versions an asset has, the bitmask of the versions each range admits. Resolvers that
 * share one (base and head of one change) share the masks of every asset whose versions
 * are the same in both. It lives as long as the resolvers that use it, no longer.
 */
export class ResolverCache {
  /** Asset ids by integer id. */
  readonly assets: AssetId[] = [];
  /** Mask words: a mask is `words` consecutive entries from its offset; bit i of the whole is the asset's i-th version, highest first. */
  pool = new Int32Array(1024);
  private poolSize = 1; // offset 0 is never a real mask
  private readonly assetIndex = new Map<AssetId, number>();
  private readonly rangeIndex = new Map<string, number>();
  private readonly parsed: semver.Range[] = [];
  private readonly rangeTexts: string[] = [];
  private readonly versionSets = new Map<string, VersionSet>();
  private readonly compiledAssets = new WeakMap<readonly Requirement[], Int32Array>();
  private readonly compiledRanges = new WeakMap<readonly Requirement[], Int32Array>();

  /** The integer asset ids of a list of requirements (an agent's, resolved in both states, is looked up once). */
  assetsOf(requirements: readonly Requirement[]): Int32Array {
    let ids = this.compiledAssets.get(requirements);
    if (!ids) {
      ids = new Int32Array(requirements.length);
      for (let at = 0; at < requirements.length; at++) ids[at] = this.asset(requirements[at]!.asset);
      this.compiledAssets.set(requirements, ids);
    }
    return ids;
  }

  /** The integer range ids of a list of requirements. */
  rangesOf(requirements: readonly Requirement[]): Int32Array {
    let ids = this.compiledRanges.get(requirements);
    if (!ids) {
      ids = new Int32Array(requirements.length);
      for (let at = 0; at < requirements.length; at++) ids[at] = this.range(requirements[at]!.range);
      this.compiledRanges.set(requirements, ids);
    }
    return ids;
  }

  /** The integer id of an asset id. */
  asset(id: AssetId): number {
    let index = this.assetIndex.get(id);
    if (index === undefined) {
      index = this.assets.length;
      this.assets.push(id);
      this.assetIndex.set(id, index);
    }
    return index;
  }

  /** The integer id of a range text. */
  range(text: string): number {
    let index = this.rangeIndex.get(text);
    if (index === undefined) {
      index = this.rangeTexts.length;
      this.rangeTexts.push(text);
      this.rangeIndex.set(text, index);
    }
    return index;
  }

  /** The version list an asset has in one state, shared with every state where it has the same versions. */
  versionSet(asset: number, versions: readonly AssetVersion[]): VersionSet {
    const key = `${asset}\0${versions.map((version) => version.version).join("\0")}`;
    let set = this.versionSets.get(key);
    if (!set) this.versionSets.set(key, (set = { versions: versions.map((version) => version.version), words: (versions.length + 31) >>> 5, masks: new Map() }));
    return set;
  }

  /** The offset in `pool` of the mask of the versions in `set` that range `range` admits. */
  mask(set: VersionSet, range: number): number {
    let offset = set.masks.get(range);
    if (offset !== undefined) return offset;
    // npm semantics: a prerelease only satisfies a range that names one of the same [major, minor, patch].
    const parsed = (this.parsed[range] ??= new semver.Range(this.rangeTexts[range]!));
    offset = this.poolSize;
    this.poolSize += set.words;
    if (this.poolSize > this.pool.length) {
      const grown = new Int32Array(Math.max(this.poolSize, this.pool.length * 2));
      grown.set(this.pool);
      this.pool = grown;
    }
    set.versions.forEach((version, index) => {
      if (parsed.test(version)) this.pool[offset! + (index >>> 5)]! |= 1 << (index & 31);
    });
    set.masks.set(range, offset);
    return offset;
  }
}

/** One asset's versions (highest first) in one or more states, and the masks computed on them. */
interface VersionSet {
  readonly versions: readonly string[];
  readonly words: number;
  readonly masks: Map<number, number>;
}

/** A chosen version's requirements, as integer asset ids and mask offsets. */
interface CompiledVersion {
  readonly version: AssetVersion;
  readonly assets: Int32Array;
  readonly masks: Int32Array;
}

const noVersions: readonly AssetVersion[] = [];

/**
 * Resolves agents against one registry state. Pass after pass, it gathers every range
 * reachable from the manifest through the versions chosen in the pass before, and takes
 * for each asset the highest version every range admits, until the choices repeat.
 *
 * Each pass runs on integers: assets and ranges have ids, a range is the bitmask of the
 * versions it admits (so "every range admits" is an AND and "highest" is the lowest set
 * bit), the queue and the per-asset state are typed arrays stamped per pass rather than
 * cleared. Objects and strings are built once, for the resolution returned.
 * Pass a `cache` to share ids and masks with another state's resolver.
 */
export function createResolver(state: RegistryState, cache: ResolverCache = new ResolverCache()): (agent: Pick<AgentFacts, "requirements" | "model">) => Resolution {
  const versionsOf: (readonly AssetVersion[] | undefined)[] = [];
  const setOf: (VersionSet | undefined)[] = [];
  const compiled: (CompiledVersion | undefined)[][] = [];
  const available: (readonly string[] | undefined)[] = [];
  let words = new Int32Array(0);
  let accOffset = new Int32Array(0);
  let acc = new Int32Array(0);
  let accSize = 0;
  let seen = new Int32Array(0);
  let position = new Int32Array(0);
  let choice = new Int32Array(0);
  let choiceStamp = new Int32Array(0);
  let order = new Int32Array(64);
  let picks = new Int32Array(64);
  let queueAsset = new Int32Array(256);
  let queueMask = new Int32Array(256);
  const queueRequirement: Requirement[] = [];
  let clock = 0;

  const grow = <T extends Int32Array>(array: T, size: number): T => {
    if (array.length >= size) return array;
    const grown = new Int32Array(Math.max(size, array.length * 2)) as T;
    grown.set(array);
    return grown;
  };
  // Per-asset arrays follow the cache's ids, which grow as agents name assets not seen yet.
  let known = 0;
  const fit = () => {
    const count = cache.assets.length;
    if (count === known) return;
    words = grow(words, count);
    accOffset = grow(accOffset, count);
    seen = grow(seen, count);
    position = grow(position, count);
    choice = grow(choice, count);
    choiceStamp = grow(choiceStamp, count);
    for (let asset = known; asset < count; asset++) {
      const versions = state.assets.get(cache.assets[asset]!);
      if (!versions || versions.length === 0) continue;
      const set = cache.versionSet(asset, versions);
      versionsOf[asset] = versions;
      setOf[asset] = set;
      compiled[asset] = [];
      words[asset] = set.words;
      accOffset[asset] = accSize;
      accSize += set.words;
    }
    acc = grow(acc, accSize);
    known = count;
  };
  for (const id of state.assets.keys()) cache.asset(id);
  fit();

  const compile = (asset: number, index: number): CompiledVersion => {
    const version = versionsOf[asset]![index]!;
    const assets = cache.assetsOf(version.requires);
    fit();
    const ranges = cache.rangesOf(version.requires);
    const masks = new Int32Array(assets.length);
    for (let at = 0; at < assets.length; at++) {
      const set = setOf[assets[at]!];
      masks[at] = set ? cache.mask(set, ranges[at]!) : 0;
    }
    return (compiled[asset]![index] = { version, assets, masks });
  };
  const pick = (asset: number): number => {
    // Versions are highest first, so the lowest bit every range leaves set wins.
    const offset = accOffset[asset]!;
    for (let word = 0, count = words[asset]!; word < count; word++) {
      const bits = acc[offset + word]!;
      if (bits !== 0) return (word << 5) + 31 - Math.clz32(bits & -bits);
    }
    return -1;
  };

  return (agent) => {
    const model = resolveModel(agent.model, state);
    const direct = agent.requirements;
    const directAssets = cache.assetsOf(direct);
    fit();
    const directRanges = cache.rangesOf(direct);
    const directMasks = new Int32Array(direct.length);
    for (let at = 0; at < direct.length; at++) {
      const set = setOf[directAssets[at]!];
      directMasks[at] = set ? cache.mask(set, directRanges[at]!) : 0;
    }

    let previous = -1;
    let previousCount = 0;
    let length = 0;
    let count = 0;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const stamp = ++clock;
      // Every range reachable from the manifest through the versions chosen in the pass before.
      length = direct.length;
      if (queueAsset.length < length) {
        queueAsset = grow(queueAsset, length);
        queueMask = grow(queueMask, length);
      }
      queueAsset.set(directAssets);
      queueMask.set(directMasks);
      for (let at = 0; at < length; at++) queueRequirement[at] = direct[at]!;
      count = 0;
      for (let index = 0; index < length; index++) {
        const asset = queueAsset[index]!;
        const mask = queueMask[index]!;
        const offset = accOffset[asset]!;
        const width = words[asset]!;
        const pool = cache.pool;
        if (seen[asset] === stamp) {
          for (let word = 0; word < width; word++) acc[offset + word]! &= pool[mask + word]!;
          continue;
        }
        seen[asset] = stamp;
        if (count === order.length) order = grow(order, count + 1);
        position[asset] = count;
        order[count++] = asset;
        for (let word = 0; word < width; word++) acc[offset + word] = pool[mask + word]!;
        if (choiceStamp[asset] === previous) {
          const version = compiled[asset]![choice[asset]!] ?? compile(asset, choice[asset]!);
          const more = version.assets.length;
          if (queueAsset.length < length + more) {
            queueAsset = grow(queueAsset, length + more);
            queueMask = grow(queueMask, length + more);
          }
          queueAsset.set(version.assets, length);
          queueMask.set(version.masks, length);
          const requires = version.version.requires;
          for (let at = 0; at < more; at++) queueRequirement[length++] = requires[at]!;
        }
      }
      // The highest version of each asset that every range admits; the same choices as before means done.
      if (picks.length < count) picks = grow(picks, count);
      let chosen = 0;
      let same = true;
      for (let at = 0; at < count; at++) {
        const asset = order[at]!;
        const picked = pick(asset);
        picks[at] = picked;
        if (picked < 0) continue;
        chosen++;
        if (choiceStamp[asset] !== previous || choice[asset] !== picked) same = false;
      }
      if (same && chosen === previousCount) return build(stamp, length, count, model);
      for (let at = 0; at < count; at++) {
        if (picks[at]! < 0) continue;
        choice[order[at]!] = picks[at]!;
        choiceStamp[order[at]!] = stamp;
      }
      previous = stamp;
      previousCount = chosen;
    }
    const conflicts: Conflict[] = [];
    for (let at = 0; at < count; at++) if (picks[at]! >= 0) conflicts.push({ asset: cache.assets[order[at]!]!, ranges: [], available: [] });
    return { status: "unsatisfiable", assets: new Map(), conflicts, model };
  };

  /** The resolution of the pass that converged: its ranges (in the order they were reached), choices, edges and conflicts. */
  function build(stamp: number, length: number, count: number, model: ModelResolution): Resolution {
    const ranges: Requirement[][] = [];
    for (let at = 0; at < count; at++) ranges.push([]);
    for (let index = 0; index < length; index++) ranges[position[queueAsset[index]!]!]!.push(queueRequirement[index]!);
    const assets = new Map<AssetId, ResolvedAsset>();
    const conflicts: Conflict[] = [];
    for (let at = 0; at < count; at++) {
      const asset = order[at]!;
      const id = cache.assets[asset]!;
      const picked = picks[at]!;
      if (picked < 0) {
        conflicts.push({ asset: id, ranges: ranges[at]!, available: (available[asset] ??= (versionsOf[asset] ?? noVersions).map((version) => version.version)) });
        continue;
      }
      const version = compiled[asset]![picked] ?? compile(asset, picked);
      const edges: AssetId[] = [];
      for (let edge = 0; edge < version.assets.length; edge++) if (seen[version.assets[edge]!] === stamp) edges.push(version.version.requires[edge]!.asset);
      assets.set(id, { version: version.version, ranges: ranges[at]!, edges });
    }
    return { status: conflicts.length > 0 || model.id === null ? "unsatisfiable" : "ok", assets, conflicts, model };
  }
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
