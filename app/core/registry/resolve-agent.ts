import semver from "semver";
import type { AgentFacts, AssetId, AssetVersion, RegistryState, Requirement } from "./model.ts";
import { plainVersion } from "./registry-state.ts";

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
  private readonly compiledRequirements = new WeakMap<readonly Requirement[], CompiledRequirements>();

  #ranks: Int32Array | undefined;
  #lastSet: (VersionSet | undefined)[] = [];

  /**
   * Orders two integer asset ids as their texts order. The ids known when first asked (every
   * published asset) are ranked once; an id met later (an asset nothing publishes) compares
   * by text, which gives the same order.
   */
  compareIds(a: number, b: number): number {
    const ranks = (this.#ranks ??= this.#rank());
    if (a < ranks.length && b < ranks.length) return ranks[a]! - ranks[b]!;
    const x = this.assets[a]!;
    const y = this.assets[b]!;
    return x < y ? -1 : x > y ? 1 : 0;
  }

  #rank(): Int32Array {
    const names = this.assets;
    const order = names.map((_, id) => id).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
    const ranks = new Int32Array(names.length);
    order.forEach((id, rank) => (ranks[id] = rank));
    return ranks;
  }

  /** The integer id of an asset id the cache has seen, or -1. */
  find(id: AssetId): number {
    return this.assetIndex.get(id) ?? -1;
  }

  /** The integer asset ids of a list of requirements (an agent's, resolved in both states, is looked up once). */
  assetsOf(requirements: readonly Requirement[]): Int32Array {
    let compiled = this.compiledRequirements.get(requirements);
    if (!compiled) {
      const assets = new Int32Array(requirements.length);
      for (let at = 0; at < requirements.length; at++) assets[at] = this.asset(requirements[at]!.asset);
      this.compiledRequirements.set(requirements, (compiled = { assets, ranges: undefined }));
    }
    return compiled.assets;
  }

  /** The integer range ids of a list of requirements. */
  rangesOf(requirements: readonly Requirement[]): Int32Array {
    return this.compile(requirements).ranges;
  }

  /** A list of requirements as integer asset and range ids, made once per list (its asset ids may be made before, alone). */
  compile(requirements: readonly Requirement[]): { readonly assets: Int32Array; readonly ranges: Int32Array } {
    let compiled = this.compiledRequirements.get(requirements);
    if (!compiled) {
      this.assetsOf(requirements);
      compiled = this.compiledRequirements.get(requirements)!;
    }
    if (!compiled.ranges) {
      const ranges = new Int32Array(requirements.length);
      for (let at = 0; at < requirements.length; at++) ranges[at] = this.range(requirements[at]!.range);
      compiled.ranges = ranges;
    }
    return compiled as { readonly assets: Int32Array; readonly ranges: Int32Array };
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
    // Most assets have the same versions in both states: compared with the asset's last set before building a key.
    const last = this.#lastSet[asset];
    if (last && sameVersionTexts(last.versions, versions)) return last;
    const key = `${asset}\0${versions.map((version) => version.version).join("\0")}`;
    let set = this.versionSets.get(key);
    if (!set) this.versionSets.set(key, (set = { versions: versions.map((version) => version.version), words: (versions.length + 31) >>> 5, masks: new Map(), byText: new Map() }));
    this.#lastSet[asset] = set;
    return set;
  }

  /** The offset in `pool` of the mask of the versions in `set` that the range with this text admits (one lookup once seen). */
  maskOfText(set: VersionSet, text: string): number {
    let offset = set.byText.get(text);
    if (offset === undefined) set.byText.set(text, (offset = this.mask(set, this.range(text))));
    return offset;
  }

  /** The offset in `pool` of the mask of the versions in `set` that range `range` admits. */
  mask(set: VersionSet, range: number): number {
    let offset = set.masks.get(range);
    if (offset !== undefined) return offset;
    offset = this.poolSize;
    this.poolSize += set.words;
    if (this.poolSize > this.pool.length) {
      const grown = new Int32Array(Math.max(this.poolSize, this.pool.length * 2));
      grown.set(this.pool);
      this.pool = grown;
    }
    // `^M.m.p`, `~M.m.p` and `M.m.p` against plain `M.m.p` versions are decided on the numbers;
    // anything else (prereleases, build metadata, other range forms) through semver.
    const kind = this.#simpleRange(range);
    const parts = this.#rangeParts;
    const triples = (set.triples ??= simpleTriples(set.versions));
    for (let index = 0; index < set.versions.length; index++) {
      const major = triples[3 * index]!;
      let admits: boolean;
      if (kind !== 0 && major >= 0) {
        const minor = triples[3 * index + 1]!;
        const patch = triples[3 * index + 2]!;
        const M = parts[3 * range]!;
        const m = parts[3 * range + 1]!;
        const p = parts[3 * range + 2]!;
        const atLeast = major > M || (major === M && (minor > m || (minor === m && patch >= p)));
        if (kind === EXACT) admits = major === M && minor === m && patch === p;
        else if (kind === TILDE || (M === 0 && m !== 0)) admits = atLeast && major === M && minor === m;
        else if (M === 0) admits = major === 0 && minor === 0 && patch === p;
        else admits = atLeast && major === M;
      } else {
        // npm semantics: a prerelease only satisfies a range that names one of the same [major, minor, patch].
        const parsed = (this.parsed[range] ??= new semver.Range(this.rangeTexts[range]!));
        // Each version is parsed once per set, not once per range tested against it.
        const versions = (set.parsed ??= set.versions.map((version) => new semver.SemVer(version)));
        admits = parsed.test(versions[index]!);
      }
      if (admits) this.pool[offset + (index >>> 5)]! |= 1 << (index & 31);
    }
    set.masks.set(range, offset);
    return offset;
  }

  // Per range id: its form (0 when not simple, -1 until looked at) and, when simple, its three numbers.
  #rangeKinds = new Int8Array(0);
  #rangeParts = new Int32Array(0);

  #simpleRange(range: number): number {
    if (range >= this.#rangeKinds.length) {
      const size = Math.max(64, range + 1, this.#rangeKinds.length * 2);
      const kinds = new Int8Array(size).fill(-1);
      kinds.set(this.#rangeKinds);
      this.#rangeKinds = kinds;
      const parts = new Int32Array(3 * size);
      parts.set(this.#rangeParts);
      this.#rangeParts = parts;
    }
    let kind = this.#rangeKinds[range]!;
    if (kind >= 0) return kind;
    const match = SIMPLE_RANGE.exec(this.rangeTexts[range]!);
    kind = match ? (match[1] === "^" ? CARET : match[1] === "~" ? TILDE : EXACT) : 0;
    if (match) for (let at = 0; at < 3; at++) this.#rangeParts[3 * range + at] = Number(match[at + 2]);
    this.#rangeKinds[range] = kind;
    return kind;
  }
}

const EXACT = 1;
const CARET = 2;
const TILDE = 3;
// Numbers as semver reads them in strict mode (no leading zeros), short enough to stay exact.
const SIMPLE_RANGE = /^([~^]?)(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

function sameVersionTexts(texts: readonly string[], versions: readonly AssetVersion[]): boolean {
  if (texts.length !== versions.length) return false;
  for (let at = 0; at < texts.length; at++) if (texts[at] !== versions[at]!.version) return false;
  return true;
}

/** Each version as three numbers (major -1 when it is not a plain `M.m.p`). */
function simpleTriples(versions: readonly string[]): Int32Array {
  const triples = new Int32Array(3 * versions.length);
  for (let index = 0; index < versions.length; index++) {
    const numbers = plainVersion(versions[index]!);
    if (!numbers) {
      triples[3 * index] = -1;
      continue;
    }
    for (let at = 0; at < 3; at++) triples[3 * index + at] = numbers[at]!;
  }
  return triples;
}

/** One asset's versions (highest first) in one or more states, and the masks computed on them. */
export interface VersionSet {
  readonly versions: readonly string[];
  parsed?: readonly semver.SemVer[];
  triples?: Int32Array;
  readonly words: number;
  /** Mask offsets by range id, and by range text. */
  readonly masks: Map<number, number>;
  readonly byText: Map<string, number>;
}

/** A list of requirements as integer ids; the range ids are made when first needed. */
interface CompiledRequirements {
  readonly assets: Int32Array;
  ranges: Int32Array | undefined;
}

/** A chosen version's requirements, as integer asset ids and mask offsets. */
interface CompiledVersion {
  readonly version: AssetVersion;
  readonly assets: Int32Array;
  readonly masks: Int32Array;
  /** The assets it requires, in the order it states them: its edges in any closure that chooses it; made when first asked for. */
  edges?: readonly AssetId[];
  /** `assets` ordered by asset id text, for searches that take edges in sorted order; made when first asked for. */
  sorted?: Int32Array;
}

/** What a resolver knows of its state, shared with the closures it returns so they can build their objects later. */
interface ResolverTables {
  readonly cache: ResolverCache;
  readonly versionsOf: readonly (readonly AssetVersion[] | undefined)[];
  compiled(asset: number, index: number): CompiledVersion;
  /** A scratch array indexed by integer asset id, at least as long as the ids known. */
  scratch(): Int32Array;
}

const noVersions: readonly AssetVersion[] = [];
const noConflicts: readonly Conflict[] = [];
const emptyAssets: ReadonlyMap<AssetId, ResolvedAsset> = new Map();

/**
 * An agent's resolution kept as integers: the assets reached, in the order first reached,
 * and the index of the version chosen for each (-1 for a conflict). The `assets` map, with
 * each asset's ranges and edges, is built from them the first time it is read, so a
 * caller that only compares choices builds no objects. Conflicts are built at once.
 */
export class ResolvedClosure implements Resolution {
  readonly status: Resolution["status"];
  readonly model: ModelResolution;
  readonly conflicts: readonly Conflict[];
  /** How many assets were reached (conflicts included). */
  readonly count: number;
  /** How many of them have a version. */
  readonly chosen: number;
  readonly tables: ResolverTables;
  /** The agent's own requirements, the start of every walk, and their integer asset ids. */
  readonly direct: readonly Requirement[];
  readonly directAssets: Int32Array;
  /** Integer asset ids at `store[offset + i]`, the chosen version indexes at `store[offset + count + i]`. */
  readonly store: Int32Array;
  readonly offset: number;
  #assets: ReadonlyMap<AssetId, ResolvedAsset> | undefined;

  constructor(tables: ResolverTables, direct: readonly Requirement[], directAssets: Int32Array, model: ModelResolution, store: Int32Array, offset: number, count: number, conflicts: readonly Conflict[] | null) {
    this.tables = tables;
    this.direct = direct;
    this.directAssets = directAssets;
    this.model = model;
    this.store = store;
    this.offset = offset;
    this.count = count;
    let chosen = 0;
    for (let at = 0; at < count; at++) if (store[offset + count + at]! >= 0) chosen++;
    this.chosen = chosen;
    if (conflicts === null) {
      this.conflicts = chosen < count ? this.#conflicts() : noConflicts;
      this.status = this.conflicts.length > 0 || model.id === null ? "unsatisfiable" : "ok";
    } else {
      // The passes did not converge: nothing is resolved, and the conflicts are the assets chosen in the last pass.
      this.conflicts = conflicts;
      this.#assets = emptyAssets;
      this.status = "unsatisfiable";
    }
  }

  /** The integer asset id of the `at`-th asset reached. */
  idAt(at: number): number {
    return this.store[this.offset + at]!;
  }

  /** The index of the version chosen for the `at`-th asset reached, -1 for a conflict. */
  pickAt(at: number): number {
    return this.store[this.offset + this.count + at]!;
  }

  /** The version chosen for the `at`-th asset reached (undefined for a conflict). */
  versionAt(at: number): AssetVersion | undefined {
    const pick = this.pickAt(at);
    return pick < 0 ? undefined : this.tables.versionsOf[this.idAt(at)]![pick];
  }

  /** The integer ids the `at`-th asset's chosen version requires, in the order it states them. */
  edgesAt(at: number): Int32Array {
    return this.tables.compiled(this.idAt(at), this.pickAt(at)).assets;
  }

  /** The integer ids the `at`-th asset's chosen version requires, ordered by asset id text. */
  sortedEdgesAt(at: number): Int32Array {
    const version = this.tables.compiled(this.idAt(at), this.pickAt(at));
    if (!version.sorted) {
      const cache = this.tables.cache;
      version.sorted = Int32Array.from(version.assets).sort((a, b) => cache.compareIds(a, b));
    }
    return version.sorted;
  }

  /** The version chosen for an asset, if the closure chooses one. */
  versionOf(asset: AssetId): AssetVersion | undefined {
    const id = this.tables.cache.find(asset);
    for (let at = 0; at < this.count; at++) if (this.idAt(at) === id) return this.versionAt(at);
    return undefined;
  }

  /** The assets chosen, ordered by asset id text, with their versions: what a closure is described by. */
  sortedVersions(): { asset: AssetId; version: AssetVersion }[] {
    const cache = this.tables.cache;
    const sorted: { asset: AssetId; version: AssetVersion; id: number }[] = [];
    for (let at = 0; at < this.count; at++) {
      const version = this.versionAt(at);
      if (version) sorted.push({ asset: cache.assets[this.idAt(at)]!, version, id: this.idAt(at) });
    }
    return sorted.sort((a, b) => cache.compareIds(a.id, b.id));
  }

  /** The ranges that reach the `at`-th asset reached, in the order `assets` lists them, without building the rest. */
  rangesAt(at: number): Requirement[] {
    const id = this.idAt(at);
    const ranges: Requirement[] = [];
    const collect = (assets: Int32Array, requirements: readonly Requirement[]) => {
      for (let index = 0; index < assets.length; index++) if (assets[index] === id) ranges.push(requirements[index]!);
    };
    collect(this.directAssets, this.direct);
    for (let other = 0; other < this.count; other++) {
      const pick = this.pickAt(other);
      if (pick < 0) continue;
      const version = this.tables.compiled(this.idAt(other), pick);
      collect(version.assets, version.version.requires);
    }
    return ranges;
  }

  get assets(): ReadonlyMap<AssetId, ResolvedAsset> {
    if (this.#assets) return this.#assets;
    const ranges = this.#ranges();
    const assets = new Map<AssetId, ResolvedAsset>();
    const names = this.tables.cache.assets;
    for (let at = 0; at < this.count; at++) {
      const pick = this.pickAt(at);
      if (pick < 0) continue;
      const version = this.tables.compiled(this.idAt(at), pick);
      assets.set(names[this.idAt(at)]!, { version: version.version, ranges: ranges[at]!, edges: (version.edges ??= version.version.requires.map((requirement) => requirement.asset)) });
    }
    return (this.#assets = assets);
  }

  #conflicts(): Conflict[] {
    const ranges = this.#ranges();
    const conflicts: Conflict[] = [];
    for (let at = 0; at < this.count; at++) {
      if (this.pickAt(at) >= 0) continue;
      const id = this.idAt(at);
      conflicts.push({ asset: this.tables.cache.assets[id]!, ranges: ranges[at]!, available: (this.tables.versionsOf[id] ?? noVersions).map((version) => version.version) });
    }
    return conflicts;
  }

  /**
   * The ranges that reach each asset, in the order the converged pass met them. That pass
   * walks the agent's requirements, then the requirements of each chosen version in the
   * order its asset was first reached, which is all it needs to replay.
   */
  #ranges(): Requirement[][] {
    const position = this.tables.scratch();
    const ranges: Requirement[][] = [];
    for (let at = 0; at < this.count; at++) {
      position[this.idAt(at)] = at;
      ranges.push([]);
    }
    const add = (assets: Int32Array, requirements: readonly Requirement[]) => {
      for (let index = 0; index < assets.length; index++) ranges[position[assets[index]!]!]!.push(requirements[index]!);
    };
    add(this.directAssets, this.direct);
    for (let at = 0; at < this.count; at++) {
      const pick = this.pickAt(at);
      if (pick < 0) continue;
      const version = this.tables.compiled(this.idAt(at), pick);
      add(version.assets, version.version.requires);
    }
    return ranges;
  }
}

// Closures keep their integers in shared blocks rather than two small arrays each.
const STORE_BLOCK = 1 << 16;

/**
 * Resolves agents against one registry state. Pass after pass, it gathers every range
 * reachable from the manifest through the versions chosen in the pass before, and takes
 * for each asset the highest version every range admits, until the choices repeat.
 *
 * Each pass runs on integers: assets and ranges have ids, a range is the bitmask of the
 * versions it admits (so "every range admits" is an AND and "highest" is the lowest set
 * bit), the queue and the per-asset state are typed arrays stamped per pass rather than
 * cleared. The result keeps integers; objects are built when read (see ResolvedClosure).
 *
 * Most agents take a shortcut that gives the same result in one walk (see `walkOnce`); the
 * others run the passes. Pass a `cache` to share ids and masks with another state's resolver.
 */
export function createResolver(state: RegistryState, cache: ResolverCache = new ResolverCache()): Resolver {
  const versionsOf: (readonly AssetVersion[] | undefined)[] = [];
  const setOf: (VersionSet | undefined)[] = [];
  const compiled: (CompiledVersion | undefined)[][] = [];
  const models = new Map<string, ModelResolution>();
  let words = new Int32Array(0);
  let accOffset = new Int32Array(0);
  let acc = new Int32Array(0);
  let accSize = 0;
  let seen = new Int32Array(0);
  let choice = new Int32Array(0);
  let choiceStamp = new Int32Array(0);
  let scratch = new Int32Array(0);
  let order = new Int32Array(64);
  let picks = new Int32Array(64);
  let queueAsset = new Int32Array(256);
  let queueMask = new Int32Array(256);
  let directMasks = new Int32Array(16);
  // Every compiled version's requirements in one flat array, for the walks: at `flat[entry]` the
  // count, then asset id and mask offset pairs. `entryAt[versionBase[asset] + index]` is the entry, -1 until compiled.
  let flat = new Int32Array(4096);
  let flatSize = 0;
  let versionBase = new Int32Array(0);
  let entryAt = new Int32Array(0);
  let entries = 0;
  let store = new Int32Array(STORE_BLOCK);
  let stored = 0;
  let clock = 0;

  const grow = (array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> => {
    if (array.length >= size) return array;
    const grown = new Int32Array(Math.max(size, array.length * 2));
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
    choice = grow(choice, count);
    choiceStamp = grow(choiceStamp, count);
    versionBase = grow(versionBase, count);
    const before = entries;
    for (let asset = known; asset < count; asset++) {
      const versions = state.assets.get(cache.assets[asset]!);
      if (!versions || versions.length === 0) continue;
      const set = cache.versionSet(asset, versions);
      versionsOf[asset] = versions;
      setOf[asset] = set;
      compiled[asset] = [];
      versionBase[asset] = entries;
      entries += versions.length;
      words[asset] = set.words;
      accOffset[asset] = accSize;
      accSize += set.words;
    }
    acc = grow(acc, accSize);
    if (entries > before) {
      entryAt = grow(entryAt, entries);
      entryAt.fill(-1, before, entries);
    }
    known = count;
  };
  for (const id of state.assets.keys()) cache.asset(id);
  fit();

  const compile = (asset: number, index: number): CompiledVersion => {
    const version = versionsOf[asset]![index]!;
    const { assets, ranges } = cache.compile(version.requires);
    fit();
    const masks = new Int32Array(assets.length);
    for (let at = 0; at < assets.length; at++) {
      const set = setOf[assets[at]!];
      masks[at] = set ? cache.mask(set, ranges[at]!) : 0;
    }
    flat = grow(flat, flatSize + 1 + 2 * assets.length);
    entryAt[versionBase[asset]! + index] = flatSize;
    flat[flatSize++] = assets.length;
    for (let at = 0; at < assets.length; at++) {
      flat[flatSize++] = assets[at]!;
      flat[flatSize++] = masks[at]!;
    }
    return (compiled[asset]![index] = { version, assets, masks });
  };
  const tables: ResolverTables = {
    cache,
    versionsOf,
    compiled: (asset, index) => compiled[asset]![index] ?? compile(asset, index),
    scratch: () => (scratch = grow(scratch, cache.assets.length)),
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
  /** Adds a range's mask to the asset's accumulator: the first sets it, the rest AND into it. */
  const admit = (asset: number, mask: number, first: boolean) => {
    const offset = accOffset[asset]!;
    const pool = cache.pool;
    const width = words[asset]!;
    if (first) for (let word = 0; word < width; word++) acc[offset + word] = pool[mask + word]!;
    else for (let word = 0; word < width; word++) acc[offset + word]! &= pool[mask + word]!;
  };
  /** Appends the requirements of the asset's `index`-th version to the queue (compiling it first if need be); the new length. */
  const enqueue = (length: number, asset: number, index: number): number => {
    let entry = entryAt[versionBase[asset]! + index]!;
    if (entry < 0) {
      compile(asset, index);
      entry = entryAt[versionBase[asset]! + index]!;
    }
    const edges = flat;
    const more = edges[entry]!;
    if (queueAsset.length < length + more) {
      queueAsset = grow(queueAsset, length + more);
      queueMask = grow(queueMask, length + more);
    }
    const assets = queueAsset;
    const masks = queueMask;
    for (let at = 0, from = entry + 1; at < more; at++, from += 2) {
      assets[length + at] = edges[from]!;
      masks[length + at] = edges[from + 1]!;
    }
    return length + more;
  };

  /**
   * The passes' result in one walk, when the passes would take the plain course: the walk
   * goes breadth-first, layer by layer (the agent's requirements, then what the assets
   * first reached in the layer before require), and chooses each asset's version when its
   * layer is complete, from the ranges of the layers before it. Pass k of the fixpoint
   * reaches exactly the assets within k - 1 layers and sees the ranges stated within
   * k - 2. If every asset has a version and the ranges met later still admit it, each
   * pass chooses as this walk did (the highest version admitted by more ranges than the
   * walk's but fewer than all of them is the same version), and the passes converge one
   * pass after the deepest layer, with this walk's queue as their last. Otherwise
   * (a conflict, a later range that excludes the choice, more layers than the passes'
   * cap allows) it returns -1 and the passes run.
   */
  const walkOnce = (length: number): number => {
    const stamp = ++clock;
    let count = 0;
    let index = 0;
    let layers = 0;
    let layerStart = 0;
    if (order.length < cache.assets.length) order = grow(order, cache.assets.length);
    for (;;) {
      // Nothing below grows the arrays, so they are read once per layer (an asset is in `order` at most once).
      const assets = queueAsset;
      const masks = queueMask;
      const marks = seen;
      const reached = order;
      const offsets = accOffset;
      const widths = words;
      const ands = acc;
      const pool = cache.pool;
      for (; index < length; index++) {
        const asset = assets[index]!;
        const mask = masks[index]!;
        const offset = offsets[asset]!;
        const width = widths[asset]!;
        if (marks[asset] !== stamp) {
          marks[asset] = stamp;
          reached[count++] = asset;
          if (width === 1) ands[offset] = pool[mask]!;
          else for (let word = 0; word < width; word++) ands[offset + word] = pool[mask + word]!;
        } else if (width === 1) ands[offset]! &= pool[mask]!;
        else for (let word = 0; word < width; word++) ands[offset + word]! &= pool[mask + word]!;
      }
      if (count === layerStart) break;
      if (++layers > MAX_PASSES - 1) return -1;
      if (picks.length < count) picks = grow(picks, count);
      for (let at = layerStart; at < count; at++) {
        const asset = order[at]!;
        const picked = pick(asset);
        if (picked < 0) return -1;
        picks[at] = picked;
        length = enqueue(length, asset, picked);
      }
      layerStart = count;
      // Compiling may have met new assets.
      if (order.length < cache.assets.length) order = grow(order, cache.assets.length);
    }
    for (let at = 0; at < count; at++) {
      const asset = order[at]!;
      const picked = picks[at]!;
      if ((acc[accOffset[asset]! + (picked >>> 5)]! & (1 << (picked & 31))) === 0) return -1;
    }
    return count;
  };

  /** The passes, from no choices until the choices repeat; the count of the converged pass, or -1 at the cap. */
  const passes = (direct: Int32Array, masks: Int32Array, directCount: number, masksAt: number): number => {
    let previous = -1;
    let previousCount = 0;
    let count = 0;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const stamp = ++clock;
      // Every range reachable from the manifest through the versions chosen in the pass before.
      let length = directCount;
      for (let at = 0; at < length; at++) {
        queueAsset[at] = direct[at]!;
        queueMask[at] = masks[masksAt + at]!;
      }
      count = 0;
      for (let index = 0; index < length; index++) {
        const asset = queueAsset[index]!;
        const first = seen[asset] !== stamp;
        admit(asset, queueMask[index]!, first);
        if (!first) continue;
        seen[asset] = stamp;
        if (count === order.length) order = grow(order, count + 1);
        order[count++] = asset;
        if (choiceStamp[asset] === previous) length = enqueue(length, asset, choice[asset]!);
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
      if (same && chosen === previousCount) return count;
      for (let at = 0; at < count; at++) {
        if (picks[at]! < 0) continue;
        choice[order[at]!] = picks[at]!;
        choiceStamp[order[at]!] = stamp;
      }
      previous = stamp;
      previousCount = chosen;
    }
    // The cap: report the assets chosen in the last pass, in the order reached.
    let kept = 0;
    for (let at = 0; at < count; at++) if (picks[at]! >= 0) order[kept++] = order[at]!;
    return -1 - kept;
  };

  /** Resolves from the agent's requirements as integer asset ids and the offsets of their masks in this state. */
  const resolveIds = (direct: readonly Requirement[], directAssets: Int32Array, masks: Int32Array, model: ModelResolution, masksAt = 0): ResolvedClosure => {
    fit();
    const length = directAssets.length;
    if (queueAsset.length < length) {
      queueAsset = grow(queueAsset, length);
      queueMask = grow(queueMask, length);
    }
    for (let at = 0; at < length; at++) {
      queueAsset[at] = directAssets[at]!;
      queueMask[at] = masks[masksAt + at]!;
    }
    let count = walkOnce(length);
    if (count < 0) {
      count = passes(directAssets, masks, length, masksAt);
      if (count < 0) {
        const kept = -1 - count;
        const conflicts: Conflict[] = [];
        for (let at = 0; at < kept; at++) conflicts.push({ asset: cache.assets[order[at]!]!, ranges: [], available: [] });
        return new ResolvedClosure(tables, direct, directAssets, model, store, 0, 0, conflicts);
      }
    }
    if (stored + 2 * count > store.length) {
      store = new Int32Array(Math.max(STORE_BLOCK, 2 * count));
      stored = 0;
    }
    const offset = stored;
    for (let at = 0; at < count; at++) {
      store[offset + at] = order[at]!;
      store[offset + count + at] = picks[at]!;
    }
    stored += 2 * count;
    return new ResolvedClosure(tables, direct, directAssets, model, store, offset, count, null);
  };
  const setAt = (asset: number): VersionSet | undefined => {
    if (asset >= known) fit();
    return setOf[asset];
  };
  const resolve = (agent: Pick<AgentFacts, "requirements" | "model">): ResolvedClosure => {
    let model = models.get(agent.model);
    if (!model) models.set(agent.model, (model = resolveModel(agent.model, state)));
    const direct = agent.requirements;
    const { assets: directAssets, ranges: directRanges } = cache.compile(direct);
    fit();
    const length = direct.length;
    if (directMasks.length < length) directMasks = grow(directMasks, length);
    for (let at = 0; at < length; at++) {
      const set = setOf[directAssets[at]!];
      directMasks[at] = set ? cache.mask(set, directRanges[at]!) : 0;
    }
    return resolveIds(direct, directAssets, directMasks, model);
  };
  return Object.assign(resolve, { setAt, resolveIds });
}

/**
 * Resolves an agent against one registry state. `resolveIds` takes the requirements already
 * as integer ids, for a caller that resolves the same agent in two states: it looks each
 * requirement up once and shares a mask wherever both states have the same versions.
 */
export interface Resolver {
  (agent: Pick<AgentFacts, "requirements" | "model">): ResolvedClosure;
  /** The asset's version list in this state (undefined when it has none): masks are taken on it with `ResolverCache.maskOfText`. */
  setAt(asset: number): VersionSet | undefined;
  /**
   * Resolves `direct` given as its integer asset ids (known to the cache; kept by the
   * result) and the offsets of their masks in this state (`directAssets.length` of them from
   * `masks[masksAt]`), with the model already resolved against this state.
   */
  resolveIds(direct: readonly Requirement[], directAssets: Int32Array, masks: Int32Array, model: ModelResolution, masksAt?: number): ResolvedClosure;
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
