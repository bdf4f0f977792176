import semver from "semver";
import type { AffectedReport, Move } from "../../../schemas/affected-report.schema.ts";
import { followsFromUnreadable, type AgentFacts, type AssetId, type RegistryState } from "./model.ts";
import { byText } from "../by-text.ts";
import { checkModelResolves } from "./check-agent.ts";
import { describeMissingAsset } from "./check-registry.ts";
import { isSameFile, problemAt, type Problem } from "../problems.ts";
import { assetDiffers } from "./registry-state.ts";
import { createResolver, ResolverCache, resolutionsDiffer, resolveModel, type Conflict, type Resolution, type ResolvedAsset } from "./resolve-agent.ts";

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
  const tainted = reachingAssets(changedAssets, [base, head]);
  // One cache for both states: assets whose versions did not change share their masks.
  const cache = new ResolverCache();
  const resolveAtBase = createResolver(base, cache);
  const resolveAtHead = createResolver(head, cache);

  const affected: AffectedAgent[] = [];
  const unaffected: UnaffectedConsumer[] = [];
  const resolutions = new Map<string, { base: Resolution; head: Resolution }>();
  const consumers = new Map<string, number>();
  const count = (key: string) => consumers.set(key, (consumers.get(key) ?? 0) + 1);
  const problems: Problem[] = [];

  for (const agent of [...agents].sort((a, b) => byText(a.name, b.name))) {
    const candidate = agent.requirements.some((requirement) => tainted.has(requirement.asset));
    if (!candidate) {
      // Its closure is identical in both states; only the model can move.
      const before = resolveModel(agent.model, base);
      const after = resolveModel(agent.model, head);
      count(after.ref);
      if (before.id !== after.id) {
        const status = (model: typeof before) => (model.id === null ? "unsatisfiable" : "ok");
        affected.push(entry(agent, [{ asset: after.ref, from: before.id, to: after.id, contentChanged: false }], [[after.ref]], status(before), status(after)));
        problems.push(...checkModelResolves(agent, { model: after }, head));
      }
      continue;
    }
    const pair = { base: resolveAtBase(agent), head: resolveAtHead(agent) };
    resolutions.set(agent.name, pair);
    count(pair.head.model.ref);
    for (const asset of pair.head.assets.keys()) count(asset);
    problems.push(...resolutionProblems(agent, pair.base, pair.head, head));

    if (resolutionsDiffer(pair.base, pair.head)) {
      const moves = listMoves(pair.base, pair.head);
      affected.push(entry(agent, moves, explainPaths(agent, pair, moves), pair.base.status, pair.head.status));
    } else {
      unaffected.push(...heldBack(agent, pair.head, changedAssets, head));
    }
  }
  return { affected, unaffected, changedAssets, resolutions, consumers, problems };
}

function entry(agent: AgentFacts, moves: Move[], paths: string[][], base: Resolution["status"], head: Resolution["status"]): AffectedAgent {
  return { agent: agent.name, team: agent.team, tier: agent.tier, repo: agent.repo, paths, moves, status: { base, head } };
}

/** Every asset from which some version's requirements can lead to one of `targets` (the targets included). */
function reachingAssets(targets: ReadonlySet<AssetId>, states: readonly RegistryState[]): Set<AssetId> {
  const reverse = new Map<AssetId, Set<AssetId>>();
  for (const state of states) {
    for (const versions of state.assets.values()) {
      for (const version of versions) {
        for (const requirement of version.requires) {
          let set = reverse.get(requirement.asset);
          if (!set) reverse.set(requirement.asset, (set = new Set()));
          set.add(version.id);
        }
      }
    }
  }
  const reached = new Set(targets);
  const queue = [...targets];
  while (queue.length > 0) {
    for (const parent of reverse.get(queue.pop()!) ?? []) {
      if (!reached.has(parent)) {
        reached.add(parent);
        queue.push(parent);
      }
    }
  }
  return reached;
}

function listMoves(base: Resolution, head: Resolution): Move[] {
  const moves: Move[] = [];
  if (base.model.id !== head.model.id) moves.push({ asset: head.model.ref, from: base.model.id, to: head.model.id, contentChanged: false });
  // Only the assets that moved are collected and sorted, not the whole closure.
  const moved: AssetId[] = [];
  for (const [id, { version }] of base.assets) {
    const after = head.assets.get(id)?.version;
    if (version.version !== after?.version || version.contentHash !== after.contentHash) moved.push(id);
  }
  for (const id of head.assets.keys()) if (!base.assets.has(id)) moved.push(id);
  for (const id of moved.sort()) {
    const before = base.assets.get(id)?.version;
    const after = head.assets.get(id)?.version;
    moves.push({ asset: id, from: before?.version ?? null, to: after?.version ?? null, contentChanged: before?.contentHash !== after?.contentHash });
  }
  return moves;
}

/**
 * Dependency paths that explain each move: from each of the agent's direct dependencies
 * that reaches the moved asset, the shortest path to it (breadth-first, taking edges in
 * sorted order, so linear in the closure however dense it is). Shortest first, at most
 * MAX_PATHS per moved asset. One search per direct dependency and graph serves every move.
 */
function explainPaths(agent: AgentFacts, pair: { base: Resolution; head: Resolution }, moves: readonly Move[]): string[][] {
  const paths: string[][] = [];
  const direct = [...new Set(agent.requirements.map((requirement) => requirement.asset))].sort();
  const searches = new Map<Resolution, Map<AssetId, ReadonlyMap<AssetId, AssetId> | null>>();
  const sortedEdges = new Map<ResolvedAsset, readonly AssetId[]>();
  for (const move of moves) {
    if (move.asset.startsWith("model:")) {
      paths.push([move.asset]);
      continue;
    }
    const target = move.asset as AssetId;
    const graph = pair.head.assets.has(target) ? pair.head : pair.base;
    let trees = searches.get(graph);
    if (!trees) searches.set(graph, (trees = new Map()));
    const found: { path: AssetId[]; key: string }[] = [];
    for (const start of direct) {
      if (start === target) {
        found.push({ path: [start], key: start });
        continue;
      }
      let previous = trees.get(start);
      if (previous === undefined) trees.set(start, (previous = searchFrom(graph, start, sortedEdges)));
      if (!previous?.has(target)) continue;
      const path = [target];
      for (let node = target; node !== start; ) path.push((node = previous.get(node)!));
      path.reverse();
      found.push({ path, key: path.join() });
    }
    found.sort((a, b) => a.path.length - b.path.length || byText(a.key, b.key));
    for (const { path } of found.slice(0, MAX_PATHS)) paths.push(path);
  }
  return paths;
}

/** Breadth-first from `start` over the resolution's edges in sorted order: each reached asset's predecessor on its first shortest path. */
function searchFrom(graph: Resolution, start: AssetId, sortedEdges: Map<ResolvedAsset, readonly AssetId[]>): ReadonlyMap<AssetId, AssetId> | null {
  if (!graph.assets.has(start)) return null;
  const previous = new Map<AssetId, AssetId>([[start, start]]);
  const queue = [start];
  for (let index = 0; index < queue.length; index++) {
    const node = queue[index]!;
    const resolved = graph.assets.get(node);
    if (!resolved) continue;
    let edges = sortedEdges.get(resolved);
    if (!edges) sortedEdges.set(resolved, (edges = [...resolved.edges].sort()));
    for (const next of edges) {
      if (previous.has(next)) continue;
      previous.set(next, node);
      queue.push(next);
    }
  }
  return previous;
}

/** For an agent that did not move, each changed asset it consumes and the range that holds it back. */
function heldBack(agent: AgentFacts, head: Resolution, changed: ReadonlySet<AssetId>, state: RegistryState): UnaffectedConsumer[] {
  const held: UnaffectedConsumer[] = [];
  for (const [id, resolved] of head.assets) {
    if (!changed.has(id)) continue;
    const newest = state.tree.get(id)?.version ?? state.assets.get(id)?.[0]?.version;
    const blocking = resolved.ranges.find((requirement) => newest !== undefined && !semver.satisfies(newest, requirement.range)) ?? resolved.ranges[0];
    if (!blocking) continue;
    held.push({
      agent: agent.name,
      team: agent.team,
      tier: agent.tier,
      asset: id,
      version: resolved.version.version,
      range: blocking.range,
      reason:
        newest !== undefined && newest !== resolved.version.version
          ? `\`${blocking.range}\` (${blocking.source.path}) excludes ${newest}; stays on ${resolved.version.version}`
          : `resolves ${resolved.version.version}, whose content did not change`,
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
