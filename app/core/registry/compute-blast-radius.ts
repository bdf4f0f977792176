import semver from "semver";
import type { AffectedReport, Move } from "../../../schemas/affected-report.schema.ts";
import { followsFromUnreadable, type AgentFacts, type AssetId, type AssetVersion, type RegistryState } from "./model.ts";
import { byText } from "../by-text.ts";
import { checkModelResolves } from "./check-agent.ts";
import { describeMissingAsset } from "./check-registry.ts";
import { isSameFile, problemAt, type Problem } from "../problems.ts";
import { assetDiffers } from "./registry-state.ts";
import { createResolver, ResolverCache, resolveModel, type Conflict, type ModelResolution, type Resolution, type ResolvedClosure } from "./resolve-agent.ts";

export type AffectedAgent = AffectedReport["affected"][number];
export type UnaffectedConsumer = AffectedReport["unaffected"][number];

/** The blast radius of a registry change, with each considered agent's two resolutions. */
export interface BlastRadius {
  readonly affected: readonly AffectedAgent[];
  readonly unaffected: readonly UnaffectedConsumer[];
  /** Assets whose published versions or content differ between base and head. */
  readonly changedAssets: ReadonlySet<AssetId>;
  /** Agents whose resolution was computed (could reach a changed asset), by name. */
  readonly resolutions: ReadonlyMap<string, { readonly base: Resolution; readonly head: Resolution }>;
  /** Agents per asset id or model reference at head, among the agents resolved. */
  readonly consumers: ReadonlyMap<string, number>;
  readonly problems: readonly Problem[];
}


// Paths per moved asset per agent: enough to explain, few enough to read.
const MAX_PATHS = 5;

/**
 * Finds every agent whose resolution at head differs from its resolution at base.
 *
 * 1. Find the assets whose published versions or content differ.
 * 2. Walk the reverse dependency graph (over every version's requirements) from them:
 *    only an agent whose direct dependencies can reach a changed asset can resolve
 *    differently, so only those are resolved (twice); the rest compare models only.
 * 3. For each agent that differs, report the moves and the paths that explain them;
 *    consumers of a changed asset that did not move are listed with the range that holds them.
 */
export function computeBlastRadius(base: RegistryState, head: RegistryState, agents: readonly AgentFacts[]): BlastRadius {
  const changedAssets = new Set<AssetId>();
  for (const id of new Set([...base.assets.keys(), ...head.assets.keys()])) {
    if (assetDiffers(base, head, id)) changedAssets.add(id);
  }
  // One cache for both states: assets whose versions did not change share their masks.
  const cache = new ResolverCache();
  const resolveAtBase = createResolver(base, cache);
  const resolveAtHead = createResolver(head, cache);
  const names = cache.assets;
  const changed = new Uint8Array(names.length);
  for (const id of changedAssets) changed[cache.asset(id)] = 1;
  const { reached: tainted, reverse } = reachingAssets(changed, changedAssets.size, [base, head], cache);
  const compare = new ClosureComparison(changed, reverse);

  const affected: AffectedAgent[] = [];
  const unaffected: UnaffectedConsumer[] = [];
  const resolutions = new Map<string, { base: ResolvedClosure; head: ResolvedClosure }>();
  const problems: Problem[] = [];
  // Consumers are counted on integers (and one counter per model reference) and turned into a map, in the order first counted, at the end.
  let assetCounts = new Int32Array(names.length);
  const firstCounted: (ModelCounter | number)[] = [];
  const counters = new Map<string, ModelCounter>();
  // Each model name resolved once per state, with the counter of its reference at head.
  const models = new Map<string, ModelEntry>();

  // First, in one tight pass, each agent's model and its requirements' integer asset ids
  // (-1 when unknown: an asset the cache has not seen reaches nothing), looked up without
  // giving ids, and whether one of them can reach a changed asset (most agents are never resolved).
  const sorted = sortedByName(agents);
  const modelOf: ModelEntry[] = new Array<ModelEntry>(sorted.length);
  const candidates = new Uint8Array(sorted.length);
  const firstId = new Int32Array(sorted.length + 1);
  let ids = new Int32Array(8 * sorted.length);
  let idCount = 0;
  // For the candidates: their requirements' integer ids, and the mask offsets at base and head (at the same places as `ids`).
  const assetsOf: Int32Array[] = new Array<Int32Array>(sorted.length);
  let baseMasks = new Int32Array(ids.length);
  let headMasks = new Int32Array(ids.length);
  for (let index = 0; index < sorted.length; index++) {
    const agent = sorted[index]!;
    let model = models.get(agent.model);
    if (!model) {
      const after = resolveModel(agent.model, head);
      let counter = counters.get(after.ref);
      if (!counter) counters.set(after.ref, (counter = { ref: after.ref, count: 0 }));
      models.set(agent.model, (model = { before: resolveModel(agent.model, base), after, counter }));
    }
    modelOf[index] = model;
    firstId[index] = idCount;
    if (tainted.length === 0) continue;
    const direct = agent.requirements;
    if (ids.length < idCount + direct.length) ids = grown(ids, idCount + direct.length);
    let candidate = 0;
    for (let at = 0; at < direct.length; at++) {
      const id = cache.find(direct[at]!.asset);
      ids[idCount + at] = id;
      if (id >= 0 && tainted[id] === 1) candidate = 1;
    }
    candidates[index] = candidate;
    if (candidate === 1) {
      // While its requirements are at hand: every id (given now to an unknown asset) and each mask,
      // looked up by its text once per version list, so once for both states where the asset did not change.
      if (baseMasks.length < ids.length) {
        baseMasks = grown(baseMasks, ids.length);
        headMasks = grown(headMasks, ids.length);
      }
      const assets = new Int32Array(direct.length);
      for (let at = 0; at < direct.length; at++) {
        const known = ids[idCount + at]!;
        const id = known >= 0 ? known : cache.asset(direct[at]!.asset);
        assets[at] = id;
        const range = direct[at]!.range;
        const before = resolveAtBase.setAt(id);
        const after = resolveAtHead.setAt(id);
        const mask = before ? cache.maskOfText(before, range) : 0;
        baseMasks[idCount + at] = mask;
        headMasks[idCount + at] = after === before ? mask : after ? cache.maskOfText(after, range) : 0;
      }
      assetsOf[index] = assets;
    }
    idCount += direct.length;
  }

  for (let index = 0; index < sorted.length; index++) {
    const model = modelOf[index]!;
    if (model.counter.count++ === 0) firstCounted.push(model.counter);
    if (candidates[index] === 0) {
      // Its closure is identical in both states; only the model can move.
      const { before, after } = model;
      if (before.id !== after.id) {
        const agent = sorted[index]!;
        const status = (model: typeof before) => (model.id === null ? "unsatisfiable" : "ok");
        affected.push(entry(agent, [{ asset: after.ref, from: before.id, to: after.id, contentChanged: false }], [[after.ref]], status(before), status(after)));
        problems.push(...checkModelResolves(agent, { model: after }, head));
      }
      continue;
    }
    const agent = sorted[index]!;
    const direct = agent.requirements;
    const from = firstId[index]!;
    const assets = assetsOf[index]!;
    const pair = { base: resolveAtBase.resolveIds(direct, assets, baseMasks, model.before, from), head: resolveAtHead.resolveIds(direct, assets, headMasks, model.after, from) };
    resolutions.set(agent.name, pair);
    if (assetCounts.length < names.length) assetCounts = grown(assetCounts, names.length);
    for (let at = 0; at < pair.head.count; at++) {
      if (pair.head.pickAt(at) < 0) continue;
      const id = pair.head.idAt(at);
      if (assetCounts[id]!++ === 0) firstCounted.push(id);
    }
    if (pair.head.conflicts.length > 0 || pair.head.model.id === null) problems.push(...resolutionProblems(agent, pair.base, pair.head, head));

    if (compare.differ(pair.base, pair.head)) {
      const { moves, paths } = compare.explain(agent, pair.base, pair.head);
      affected.push(entry(agent, moves, paths, pair.base.status, pair.head.status));
    } else if (compare.reaches(pair.head, changed)) {
      unaffected.push(...heldBack(agent, pair.head, changed, head));
    }
  }
  const consumers = new Map<string, number>();
  for (const key of firstCounted) {
    if (typeof key === "number") consumers.set(names[key]!, assetCounts[key]!);
    else consumers.set(key.ref, key.count);
  }
  return { affected, unaffected, changedAssets, resolutions, consumers, problems };
}

/** The agents ordered by name; the list itself when it is in order already (readers list them so). */
function sortedByName(agents: readonly AgentFacts[]): readonly AgentFacts[] {
  for (let at = 1; at < agents.length; at++) if (byText(agents[at - 1]!.name, agents[at]!.name) > 0) return [...agents].sort((a, b) => byText(a.name, b.name));
  return agents;
}

/** Sorts the first `count` integer asset ids by their text (insertion sort: there are few). */
function sortByName(ids: Int32Array, count: number, cache: ResolverCache): void {
  for (let at = 1; at < count; at++) {
    const id = ids[at]!;
    let to = at;
    for (; to > 0 && cache.compareIds(ids[to - 1]!, id) > 0; to--) ids[to] = ids[to - 1]!;
    ids[to] = id;
  }
}

/**
 * `byText(a.join(), b.join())` for two paths of the same length, mostly without building
 * the strings: the first element that differs decides, by its first differing character,
 * or, when one is a prefix of the other, by the character after the prefix against the
 * `,` that follows the shorter one (or the end of the text, after the last element).
 */
export function compareJoined(a: readonly string[], b: readonly string[]): number {
  for (let at = 0; at < a.length; at++) {
    const x = a[at]!;
    const y = b[at]!;
    if (x === y) continue;
    const common = Math.min(x.length, y.length);
    for (let char = 0; char < common; char++) {
      const difference = x.charCodeAt(char) - y.charCodeAt(char);
      if (difference !== 0) return difference < 0 ? -1 : 1;
    }
    const last = at === a.length - 1;
    if (x.length < y.length) {
      if (last) return -1;
      const next = y.charCodeAt(common);
      if (next !== 0x2c) return next > 0x2c ? -1 : 1;
    } else {
      if (last) return 1;
      const next = x.charCodeAt(common);
      if (next !== 0x2c) return next < 0x2c ? -1 : 1;
    }
    // A `,` inside a name: the joined texts decide.
    return byText(a.join(), b.join());
  }
  return 0;
}

/** An agent's model resolved at base and at head, and the counter of its reference at head. */
interface ModelEntry {
  readonly before: ModelResolution;
  readonly after: ModelResolution;
  readonly counter: ModelCounter;
}

/** How many agents resolve to one model reference at head. */
interface ModelCounter {
  readonly ref: string;
  count: number;
}

function grown(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(size, array.length * 2));
  next.set(array);
  return next;
}

/**
 * Compares an agent's two closures on their integers: whether they differ, the moves, and
 * the paths that explain them. Its arrays are indexed by integer asset id and stamped per
 * use rather than cleared.
 */
class ClosureComparison {
  /** 1 for each integer asset id whose versions or content differ between the states (ids beyond it: unknown assets, never chosen). */
  readonly #changed: Uint8Array;
  #clock = 0;
  // Where each asset sits in the closures being compared: `at[side][id]`, valid when `stamp[side][id]` is the current stamp.
  #at = [new Int32Array(0), new Int32Array(0)];
  #stamp = [new Int32Array(0), new Int32Array(0)];
  #current = [0, 0];
  #marked: (ResolvedClosure | null)[] = [null, null];
  // Breadth-first search: the predecessor of each position, and the queue.
  #previous = new Int32Array(64);
  #queue = new Int32Array(64);
  // The assets that moved; the searches done for the agent being explained, by start and side.
  #moved = new Int32Array(64);
  #searches = new Int32Array(64);
  #searchStamp = new Int32Array(64);
  #startIds = new Int32Array(16);
  // Per side, for each asset the starts whose chosen version requires it (see #requiredBy), valid where stamped.
  #bits = [new Int32Array(0), new Int32Array(0)];
  #bitsStamp = [new Int32Array(0), new Int32Array(0)];
  #bitsMade = [0, 0];
  // Moves of assets, shared (frozen) between agents that move the same asset between the same versions: by asset id, then by the two picks.
  #moves: (Map<number, Move> | undefined)[] = [];
  // For each changed asset, a class per version at base and at head: the same class, the same version and content.
  #sameAs: (SameVersions | undefined)[] = [];
  // The reverse dependency graph over every version of both states, and for each asset searched for, 1 for every asset that can lead to it.
  readonly #reverse: ReverseGraph | null;
  #reaching: (Uint8Array | undefined)[] = [];
  // Paths, shared (frozen) between agents that reach an asset the same way: a trie from each target back along the path.
  #paths: (PathNode | undefined)[] = [];

  constructor(changed: Uint8Array, reverse: ReverseGraph | null) {
    this.#changed = changed;
    this.#reverse = reverse;
  }

  /** 1 for every asset from which some version's requirements can lead to `target` (itself included). */
  #reachingOf(target: number): Uint8Array {
    let reaching = this.#reaching[target];
    if (reaching) return reaching;
    const graph = this.#reverse!;
    reaching = new Uint8Array(graph.first.length);
    if (target < reaching.length) {
      reaching[target] = 1;
      const queue = [target];
      while (queue.length > 0) {
        for (let link = graph.first[queue.pop()!]!; link !== -1; link = graph.next[link]!) {
          const parent = graph.from[link]!;
          if (reaching[parent] === 0) {
            reaching[parent] = 1;
            queue.push(parent);
          }
        }
      }
    }
    return (this.#reaching[target] = reaching);
  }

  /** The shared path that ends at `target` and goes back through `previous` from `targetAt` to `startAt` in `graph`. */
  #path(target: number, graph: ResolvedClosure, previous: Int32Array, offset: number, targetAt: number, startAt: number): AssetId[] {
    const names = graph.tables.cache.assets;
    let node = (this.#paths[target] ??= { path: Object.freeze([names[target]!]) as AssetId[], next: undefined });
    for (let at = targetAt; at !== startAt; ) {
      at = previous[offset + at]!;
      node = this.#back(node, graph.idAt(at), names);
    }
    return node.path;
  }

  /** The shared path `[start, target]`. */
  #edgePath(target: number, start: number, names: readonly AssetId[]): AssetId[] {
    const node = (this.#paths[target] ??= { path: Object.freeze([names[target]!]) as AssetId[], next: undefined });
    return this.#back(node, start, names).path;
  }

  /** The path one step further back than `node`'s, through asset `id`. */
  #back(node: PathNode, id: number, names: readonly AssetId[]): PathNode {
    const next = (node.next ??= new Map());
    let child = next.get(id);
    if (!child) next.set(id, (child = { path: Object.freeze([names[id]!, ...node.path]) as AssetId[], next: undefined }));
    return child;
  }

  /** Indexes a closure's assets by id (side 0 or 1), unless it is already the one indexed there. */
  #mark(side: 0 | 1, closure: ResolvedClosure): void {
    if (this.#marked[side] === closure) return;
    const size = closure.tables.cache.assets.length;
    if (this.#at[side]!.length < size) {
      this.#at[side] = grown(this.#at[side]!, size);
      this.#stamp[side] = grown(this.#stamp[side]!, size);
    }
    const stamp = ++this.#clock;
    const at = this.#at[side]!;
    const stamps = this.#stamp[side]!;
    for (let index = 0; index < closure.count; index++) {
      const id = closure.idAt(index);
      at[id] = index;
      stamps[id] = stamp;
    }
    this.#current[side] = stamp;
    this.#marked[side] = closure;
  }

  /** The position of asset `id` in the closure marked on `side`, or -1. */
  #find(side: 0 | 1, id: number): number {
    return id < this.#stamp[side]!.length && this.#stamp[side]![id] === this.#current[side] ? this.#at[side]![id]! : -1;
  }

  /** The position of `id` among the closure's chosen assets (-1 when not reached or a conflict). */
  #chosenAt(side: 0 | 1, closure: ResolvedClosure, id: number): number {
    const at = this.#find(side, id);
    return at >= 0 && closure.pickAt(at) >= 0 ? at : -1;
  }

  /**
   * Whether the versions two closures choose for one asset (chosen in both) have the same
   * version and content. An asset that did not change has the same versions, with the same
   * content, at the same places in both states, so comparing the places is enough.
   */
  #same(base: ResolvedClosure, at: number, head: ResolvedClosure, other: number): boolean {
    const id = base.idAt(at);
    if (this.#changed[id] === 0) return base.pickAt(at) === head.pickAt(other);
    const same = (this.#sameAs[id] ??= sameVersions(base.tables.versionsOf[id]!, head.tables.versionsOf[id]!));
    return same.base[base.pickAt(at)] === same.head[head.pickAt(other)];
  }

  /** The same test as `resolutionsDiffer`, on integers. */
  differ(base: ResolvedClosure, head: ResolvedClosure): boolean {
    if (base.status !== head.status || base.model.id !== head.model.id || base.chosen !== head.chosen) return true;
    this.#mark(1, head);
    for (let at = 0; at < base.count; at++) {
      if (base.pickAt(at) < 0) continue;
      const other = this.#chosenAt(1, head, base.idAt(at));
      if (other < 0) return true;
      if (!this.#same(base, at, head, other)) return true;
    }
    if (base.conflicts.length === 0 && head.conflicts.length === 0) return false;
    return conflictKey(base) !== conflictKey(head);
  }

  /** True when the closure chooses a version of a changed asset. */
  reaches(closure: ResolvedClosure, changed: Uint8Array): boolean {
    for (let at = 0; at < closure.count; at++) if (closure.pickAt(at) >= 0 && changed[closure.idAt(at)] === 1) return true;
    return false;
  }

  /**
   * The moves (the model, then each asset whose version or content differs, or that is in
   * one closure only, by id) and the dependency paths that explain each: from each of the
   * agent's direct dependencies that reaches the moved asset, the shortest path to it
   * (breadth-first, taking edges in sorted order, so linear in the closure however dense it
   * is). Shortest first, at most MAX_PATHS per moved asset. One search per direct
   * dependency and closure serves every move.
   */
  explain(agent: AgentFacts, base: ResolvedClosure, head: ResolvedClosure): { moves: Move[]; paths: string[][] } {
    const moves: Move[] = [];
    const paths: string[][] = [];
    if (base.model.id !== head.model.id) {
      moves.push({ asset: head.model.ref, from: base.model.id, to: head.model.id, contentChanged: false });
      paths.push([head.model.ref]);
    }
    this.#mark(0, base);
    this.#mark(1, head);
    const names = base.tables.cache.assets;
    // Only the assets that moved are collected and sorted, not the whole closure.
    let moved = 0;
    if (this.#moved.length < base.count + head.count) this.#moved = grown(this.#moved, base.count + head.count);
    for (let at = 0; at < base.count; at++) {
      if (base.pickAt(at) < 0) continue;
      const other = this.#chosenAt(1, head, base.idAt(at));
      if (other < 0 || !this.#same(base, at, head, other)) this.#moved[moved++] = base.idAt(at);
    }
    for (let at = 0; at < head.count; at++) {
      if (head.pickAt(at) >= 0 && this.#chosenAt(0, base, head.idAt(at)) < 0) this.#moved[moved++] = head.idAt(at);
    }
    sortByName(this.#moved, moved, base.tables.cache);
    if (moved === 0) return { moves, paths };

    const startCount = this.#starts(base);
    const starts = this.#startIds;
    const stamp = ++this.#clock;
    let used = 0;
    for (let index = 0; index < moved; index++) {
      const target = this.#moved[index]!;
      const beforeAt = this.#chosenAt(0, base, target);
      const afterAt = this.#chosenAt(1, head, target);
      const before = beforeAt < 0 ? undefined : base.versionAt(beforeAt);
      const after = afterAt < 0 ? undefined : head.versionAt(afterAt);
      const asset = names[target]!;
      const key = (beforeAt < 0 ? 0 : base.pickAt(beforeAt) + 1) * 0x100000 + (afterAt < 0 ? 0 : head.pickAt(afterAt) + 1);
      const known = (this.#moves[target] ??= new Map());
      let move = known.get(key);
      if (!move) known.set(key, (move = Object.freeze({ asset, from: before?.version ?? null, to: after?.version ?? null, contentChanged: before?.contentHash !== after?.contentHash })));
      moves.push(move);

      const side = afterAt >= 0 ? 1 : 0;
      const graph = side === 1 ? head : base;
      const targetAt = side === 1 ? afterAt : beforeAt;
      // The paths found for this move go straight into `paths` from `first`, in order (an insertion sort, stable like the sort it replaces).
      const first = paths.length;
      const reaching = this.#reachingOf(target);
      for (let at = 0; at < startCount; at++) {
        const start = starts[at]!;
        if (start === target) {
          insertPath(paths, first, this.#path(target, graph, this.#previous, 0, 0, 0));
          continue;
        }
        // No version's requirements lead from the start to the target: no search can find a path.
        if (start >= reaching.length || reaching[start] === 0) continue;
        // A start whose version requires the target reaches it in one step, the only shortest path: no search needed.
        // With few moves, asking per start is cheaper than collecting the bits.
        if (moved > 2 && at < 31 ? (this.#requiredBy(side, graph, starts, startCount, stamp, target) >>> at) & 1 : this.#requires(side, graph, start, target)) {
          insertPath(paths, first, this.#edgePath(target, start, names));
          continue;
        }
        const startAt = this.#chosenAt(side, graph, start);
        if (startAt < 0) continue;
        // Each search's predecessors sit at an offset in `#previous`, found through `#searches`.
        const slot = 2 * at + side;
        let offset = this.#searchStamp[slot] === stamp ? this.#searches[slot]! : -1;
        if (offset === -1) {
          offset = this.#search(side, graph, start, used);
          if (offset >= 0) used += graph.count;
          this.#searches[slot] = offset;
          this.#searchStamp[slot] = stamp;
        }
        if (offset < 0 || this.#previous[offset + targetAt] === -1) continue;
        insertPath(paths, first, this.#path(target, graph, this.#previous, offset, targetAt, startAt));
      }
      if (paths.length - first > MAX_PATHS) paths.length = first + MAX_PATHS;
    }
    return { moves, paths };
  }

  /**
   * Bit i set when the version the closure on `side` chooses for the i-th start (of the first
   * 31) requires `target`. The bits of every asset are made once per agent and side, on the
   * first call with a new `stamp`.
   */
  #requiredBy(side: 0 | 1, graph: ResolvedClosure, starts: Int32Array, startCount: number, stamp: number, target: number): number {
    if (this.#bitsMade[side] !== stamp) {
      this.#bitsMade[side] = stamp;
      const size = graph.tables.cache.assets.length;
      if (this.#bits[side]!.length < size) {
        this.#bits[side] = grown(this.#bits[side]!, size);
        this.#bitsStamp[side] = grown(this.#bitsStamp[side]!, size);
      }
      const bits = this.#bits[side]!;
      const stamps = this.#bitsStamp[side]!;
      for (let at = 0; at < startCount && at < 31; at++) {
        const startAt = this.#chosenAt(side, graph, starts[at]!);
        if (startAt < 0) continue;
        const edges = graph.edgesAt(startAt);
        for (let edge = 0; edge < edges.length; edge++) {
          const id = edges[edge]!;
          if (stamps[id] !== stamp) {
            stamps[id] = stamp;
            bits[id] = 0;
          }
          bits[id]! |= 1 << at;
        }
      }
    }
    return target < this.#bitsStamp[side]!.length && this.#bitsStamp[side]![target] === stamp ? this.#bits[side]![target]! : 0;
  }

  /** Whether the version the closure on `side` chooses for `start` requires `target`. */
  #requires(side: 0 | 1, graph: ResolvedClosure, start: number, target: number): boolean {
    const startAt = this.#chosenAt(side, graph, start);
    return startAt >= 0 && graph.edgesAt(startAt).includes(target);
  }

  /** Puts the agent's direct dependencies in `#startIds` as integer ids, each once, ordered by asset id text; their count. */
  #starts(closure: ResolvedClosure): number {
    const cache = closure.tables.cache;
    const ids = closure.directAssets;
    if (this.#startIds.length < ids.length) this.#startIds = grown(this.#startIds, ids.length);
    const starts = this.#startIds;
    let count = 0;
    next: for (let at = 0; at < ids.length; at++) {
      for (let other = 0; other < count; other++) if (starts[other] === ids[at]) continue next;
      starts[count++] = ids[at]!;
    }
    sortByName(starts, count, cache);
    const slots = 2 * count;
    if (this.#searches.length < slots) {
      this.#searches = grown(this.#searches, slots);
      this.#searchStamp = grown(this.#searchStamp, slots);
    }
    return count;
  }

  /**
   * Breadth-first from `start` over the closure's edges in sorted order: each reached
   * position's predecessor on its first shortest path, written at `#previous[offset + at]`
   * (-1 when not reached). Returns the offset, or -2 when the start has no version.
   */
  #search(side: 0 | 1, graph: ResolvedClosure, start: number, offset: number): number {
    const startAt = this.#chosenAt(side, graph, start);
    if (startAt < 0) return -2;
    const count = graph.count;
    if (this.#previous.length < offset + count) this.#previous = grown(this.#previous, offset + count);
    if (this.#queue.length < count) this.#queue = grown(this.#queue, count);
    const previous = this.#previous;
    const queue = this.#queue;
    previous.fill(-1, offset, offset + count);
    previous[offset + startAt] = startAt;
    queue[0] = startAt;
    let length = 1;
    for (let index = 0; index < length; index++) {
      const node = queue[index]!;
      if (graph.pickAt(node) < 0) continue;
      const edges = graph.sortedEdgesAt(node);
      for (let edge = 0; edge < edges.length; edge++) {
        const next = this.#find(side, edges[edge]!);
        if (previous[offset + next] !== -1) continue;
        previous[offset + next] = node;
        queue[length++] = next;
      }
    }
    return offset;
  }
}

/** Shortest first, then by joined text; after the paths of the same length and text already there. */
function insertPath(paths: string[][], first: number, path: string[]): void {
  let at = paths.length;
  paths.push(path);
  for (; at > first; at--) {
    const before = paths[at - 1]!;
    if ((before.length - path.length || compareJoined(before, path)) <= 0) break;
    paths[at] = before;
  }
  paths[at] = path;
}

// The four statuses, shared (frozen) between entries.
const statuses = {
  ok: { ok: Object.freeze({ base: "ok", head: "ok" } as const), unsatisfiable: Object.freeze({ base: "ok", head: "unsatisfiable" } as const) },
  unsatisfiable: { ok: Object.freeze({ base: "unsatisfiable", head: "ok" } as const), unsatisfiable: Object.freeze({ base: "unsatisfiable", head: "unsatisfiable" } as const) },
};

function entry(agent: AgentFacts, moves: Move[], paths: string[][], base: Resolution["status"], head: Resolution["status"]): AffectedAgent {
  return { agent: agent.name, team: agent.team, tier: agent.tier, repo: agent.repo, paths, moves, status: statuses[base][head] };
}

/** The reverse dependency graph as linked lists in integer arrays: for each required asset, the assets whose versions require it. */
interface ReverseGraph {
  /** The first link of each asset (-1: none). */
  readonly first: Int32Array;
  readonly from: Int32Array;
  readonly next: Int32Array;
}

/** A path shared by the agents that reach its target the same way, and the longer paths through it. */
interface PathNode {
  readonly path: AssetId[];
  next: Map<number, PathNode> | undefined;
}

/**
 * 1 for every integer asset id from which some version's requirements can lead to a
 * `changed` asset (those included), and the reverse graph over every version of the states;
 * empty and null when nothing changed. The ids are the cache's, and every asset that can
 * reach another is published, so has an id below the result's length.
 */
function reachingAssets(changed: Uint8Array, changedCount: number, states: readonly RegistryState[], cache: ResolverCache): { reached: Uint8Array; reverse: ReverseGraph | null } {
  if (changedCount === 0) return { reached: new Uint8Array(0), reverse: null };
  const size = cache.assets.length;
  let head = new Int32Array(size).fill(-1);
  let from = new Int32Array(4096);
  let next = new Int32Array(4096);
  let links = 0;
  for (let index = 0; index < states.length; index++) {
    for (const [id, versions] of states[index]!.assets) {
      // An asset that did not change has the same versions, with the same content and so the same requirements, in every state.
      if (index > 0 && changed[cache.asset(id)] !== 1) continue;
      for (const version of versions) {
        if (version.requires.length === 0) continue;
        const owner = cache.asset(version.id);
        const required = cache.assetsOf(version.requires);
        if (from.length < links + required.length) {
          from = grown(from, links + required.length);
          next = grown(next, links + required.length);
        }
        for (let at = 0; at < required.length; at++) {
          const target = required[at]!;
          if (target >= head.length) head = grownFilled(head, cache.assets.length);
          from[links] = owner;
          next[links] = head[target]!;
          head[target] = links++;
        }
      }
    }
  }
  const reached = new Uint8Array(size);
  const queue: number[] = [];
  for (let id = 0; id < changed.length; id++) {
    if (changed[id] === 1) {
      reached[id] = 1;
      queue.push(id);
    }
  }
  while (queue.length > 0) {
    for (let link = head[queue.pop()!]!; link !== -1; link = next[link]!) {
      const parent = from[link]!;
      if (reached[parent] === 0) {
        reached[parent] = 1;
        queue.push(parent);
      }
    }
  }
  return { reached, reverse: { first: head, from, next } };
}

/** A class for each of an asset's versions at base and at head (by index): versions in the same class have the same version and content. */
interface SameVersions {
  readonly base: Int32Array;
  readonly head: Int32Array;
}

function sameVersions(base: readonly AssetVersion[], head: readonly AssetVersion[]): SameVersions {
  const classes = new Map<string, number>();
  const classify = (versions: readonly AssetVersion[]) => {
    const ids = new Int32Array(versions.length);
    for (let at = 0; at < versions.length; at++) {
      const key = `${versions[at]!.version}\0${versions[at]!.contentHash}`;
      let id = classes.get(key);
      if (id === undefined) classes.set(key, (id = classes.size));
      ids[at] = id;
    }
    return ids;
  };
  return { base: classify(base), head: classify(head) };
}

function grownFilled(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(Math.max(size, array.length * 2)).fill(-1);
  grown.set(array);
  return grown;
}

function conflictKey(resolution: Resolution): string {
  return resolution.conflicts.map((conflict) => conflict.asset).sort().join(",");
}

/** For an agent that did not move, each changed asset it consumes (1 in `changed`, by integer id) and the range that holds it back. */
function heldBack(agent: AgentFacts, head: ResolvedClosure, changed: Uint8Array, state: RegistryState): UnaffectedConsumer[] {
  const held: UnaffectedConsumer[] = [];
  const names = head.tables.cache.assets;
  for (let at = 0; at < head.count; at++) {
    if (head.pickAt(at) < 0 || changed[head.idAt(at)] !== 1) continue;
    const id = names[head.idAt(at)]!;
    const version = head.versionAt(at)!;
    const ranges = head.rangesAt(at);
    const newest = state.tree.get(id)?.version ?? state.assets.get(id)?.[0]?.version;
    const blocking = ranges.find((requirement) => newest !== undefined && !semver.satisfies(newest, requirement.range)) ?? ranges[0];
    if (!blocking) continue;
    held.push({
      agent: agent.name,
      team: agent.team,
      tier: agent.tier,
      asset: id,
      version: version.version,
      range: blocking.range,
      reason:
        newest !== undefined && newest !== version.version
          ? `\`${blocking.range}\` (${blocking.source.path}) excludes ${newest}; stays on ${version.version}`
          : `resolves ${version.version}, whose content did not change`,
    });
  }
  return held;
}

/** Problems an agent's resolution shows: conflicts (new at head = error), unknown aliases. */
function resolutionProblems(agent: AgentFacts, base: Resolution, head: Resolution, headState: RegistryState): Problem[] {
  const problems: Problem[] = [];
  const baseConflicts = new Set(base.conflicts.map((conflict) => conflict.asset));
  for (const conflict of head.conflicts) {
    if (followsFromUnreadable(conflict, headState)) continue;
    const introduced = !baseConflicts.has(conflict.asset);
    const first = conflict.ranges.find((range) => isSameFile(range.source, agent.source)) ?? conflict.ranges[0];
    problems.push(
      problemAt(first?.source ?? agent.source, first?.line ?? 1, introduced ? "error" : "warning", "unsatisfiable", describeConflict(conflict, introduced, headState), agent.name),
    );
  }
  return [...problems, ...checkModelResolves(agent, head, headState)];
}

/**
 * Explains why no version fits, naming every range and who states it. For an asset with
 * no usable version, why: it does not exist (with the likely name), or every published
 * version was left out as invalid (with the first reason). No range is to be widened then.
 */
export function describeConflict(conflict: Conflict, introduced: boolean, state: Pick<RegistryState, "assets" | "leftOut">): string {
  const who = conflict.ranges.map((requirement) => `\`${requirement.range}\` from ${requirement.source.path}${requirement.source.ref ? `@${requirement.source.ref}` : ""}`).join(" and ");
  const status = `${introduced ? "becomes unsatisfiable at head" : "is unsatisfiable"}: no version of ${conflict.asset} satisfies ${who}`;
  if (conflict.available.length === 0) return `${status}; ${describeMissingAsset(conflict.asset, state)}`;
  const available = `published versions are ${conflict.available.slice(0, 8).join(", ")}${conflict.available.length > 8 ? ", …" : ""}`;
  return `${status}; ${available}. Widen a range or publish a version that fits`;
}
