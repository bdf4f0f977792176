/**
 * The blast radius as first written: a plain fixpoint resolver over maps and sets, and a
 * breadth-first search per moved asset per direct dependency. Slow, but simple enough to
 * read against the rule in the README; the property tests check the fast core in
 * app/core/registry against it, output for output.
 */
import semver from "semver";
import { byText } from "../../app/core/by-text.ts";
import { isSameFile, problemAt, type Problem } from "../../app/core/problems.ts";
import { checkModelResolves } from "../../app/core/registry/check-agent.ts";
import { describeConflict, type AffectedAgent, type BlastRadius, type UnaffectedConsumer } from "../../app/core/registry/compute-blast-radius.ts";
import type { AgentFacts, AssetId, AssetVersion, RegistryState, Requirement } from "../../app/core/registry/model.ts";
import { assetDiffers } from "../../app/core/registry/registry-state.ts";
import { resolutionsDiffer, resolveModel, type Conflict, type ModelResolution, type Resolution, type ResolvedAsset } from "../../app/core/registry/resolve-agent.ts";
import type { Move } from "../../schemas/affected-report.schema.ts";

// Converges within the closure's depth; a cap keeps a pathological registry from spinning.
const MAX_PASSES = 64;

const parseRange = (range: string) => new semver.Range(range);

const noVersions: readonly AssetVersion[] = [];

/** Resolves agents against one registry state: pass after pass until the choices stop changing. */
export function createReferenceResolver(state: RegistryState): (agent: Pick<AgentFacts, "requirements" | "model">) => Resolution {
  const byRange = new Map<string, ReadonlySet<AssetVersion>>();
  const admitted = (requirement: Requirement): ReadonlySet<AssetVersion> => {
    const key = `${requirement.asset} ${requirement.range}`;
    let found = byRange.get(key);
    if (!found) {
      // npm semantics: a prerelease only satisfies a range that names one of the same [major, minor, patch].
      const parsed = parseRange(requirement.range);
      found = new Set((state.assets.get(requirement.asset) ?? noVersions).filter((version) => parsed.test(version.version)));
      byRange.set(key, found);
    }
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
export function computeReferenceBlastRadius(base: RegistryState, head: RegistryState, agents: readonly AgentFacts[]): BlastRadius {
  const changedAssets = new Set<AssetId>();
  for (const id of new Set([...base.assets.keys(), ...head.assets.keys()])) {
    if (assetDiffers(base, head, id)) changedAssets.add(id);
  }
  const tainted = reachingAssets(changedAssets, [base, head]);
  const resolveAtBase = createReferenceResolver(base);
  const resolveAtHead = createReferenceResolver(head);

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
  const ids = [...new Set([...base.assets.keys(), ...head.assets.keys()])].sort();
  for (const id of ids) {
    const before = base.assets.get(id)?.version;
    const after = head.assets.get(id)?.version;
    if (before?.version === after?.version && before?.contentHash === after?.contentHash) continue;
    moves.push({ asset: id, from: before?.version ?? null, to: after?.version ?? null, contentChanged: before?.contentHash !== after?.contentHash });
  }
  return moves;
}

/**
 * Dependency paths that explain each move: from each of the agent's direct dependencies
 * that reaches the moved asset, the shortest path to it (breadth-first, so linear in the
 * closure however dense it is). Shortest first, at most MAX_PATHS per moved asset.
 */
function explainPaths(agent: AgentFacts, pair: { base: Resolution; head: Resolution }, moves: readonly Move[]): string[][] {
  const paths: string[][] = [];
  const direct = [...new Set(agent.requirements.map((requirement) => requirement.asset))].sort();
  for (const move of moves) {
    if (move.asset.startsWith("model:")) {
      paths.push([move.asset]);
      continue;
    }
    const target = move.asset as AssetId;
    const graph = pair.head.assets.has(target) ? pair.head : pair.base;
    const found = direct.flatMap((start) => {
      const path = shortestPath(graph, start, target);
      return path ? [path] : [];
    });
    found.sort((a, b) => a.length - b.length || byText(a.join(), b.join()));
    paths.push(...found.slice(0, MAX_PATHS));
  }
  return paths;
}

function shortestPath(graph: Resolution, start: AssetId, target: AssetId): AssetId[] | null {
  if (start === target) return [start];
  if (!graph.assets.has(start)) return null;
  const previous = new Map<AssetId, AssetId>([[start, start]]);
  const queue = [start];
  for (let index = 0; index < queue.length; index++) {
    const node = queue[index]!;
    for (const next of [...(graph.assets.get(node)?.edges ?? [])].sort()) {
      if (previous.has(next)) continue;
      previous.set(next, node);
      if (next === target) {
        const path = [target];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      queue.push(next);
    }
  }
  return null;
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
    const introduced = !baseConflicts.has(conflict.asset);
    const first = conflict.ranges.find((range) => isSameFile(range.source, agent.source)) ?? conflict.ranges[0];
    problems.push(
      problemAt(first?.source ?? agent.source, first?.line ?? 1, introduced ? "error" : "warning", "unsatisfiable", describeConflict(conflict, introduced, headState), agent.name),
    );
  }
  return [...problems, ...checkModelResolves(agent, head, headState)];
}

