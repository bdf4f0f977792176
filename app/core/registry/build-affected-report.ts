import semver from "semver";
import type { AffectedReport, Closure } from "../../../schemas/affected-report.schema.ts";
import { checkAgent, checkModel, checkOverlays } from "./check-agent.ts";
import { checkRequirements, checkUniqueAgents, findCycles } from "./check-registry.ts";
import { classifyChanges } from "./classify-changes.ts";
import { computeBlastRadius, type BlastRadius } from "./compute-blast-radius.ts";
import { MANIFEST_FILE } from "./layout.ts";
import type { AgentFacts, AssetId, AssetVersion } from "./model.ts";
import { byText } from "../by-text.ts";
import { countProblems, sortProblems, uniqueProblems, type Problem } from "../problems.ts";
import { buildRegistryState, keepUnreadableAsBase, type RegistryHistory } from "./registry-state.ts";
import { createResolver, ResolvedClosure, type Resolution } from "./resolve-agent.ts";

/** Everything `affected` needs, already read from git and disk. */
export interface AffectedFacts {
  readonly history: RegistryHistory;
  readonly agents: readonly AgentFacts[];
  /** Problems found while reading files (syntax, schema, missing files). */
  readonly loadProblems: readonly Problem[];
  /** Files refused while reading (unreadable, too large, invalid), for the summary. */
  readonly refused?: number;
  readonly refs: { readonly base: string; readonly head: string };
  /** Today as YYYY-MM-DD, for model retirement dates. */
  readonly today: string;
}

/** An affected agent's closures: what its evals run with at base and at head. */
export interface AffectedClosures {
  readonly base: Closure;
  readonly head: Closure;
}

/** The affected report for a registry change. */
export function buildAffectedReport(facts: AffectedFacts): AffectedReport {
  return buildAffected(facts).report;
}

/**
 * The affected report for a registry change, and each affected agent's closures on demand
 * (the evals' input: the report has the rows, the closures have every asset and content id).
 *
 * 1. Build the registry state at base and at head (tags plus each tree; an asset whose
 *    manifest the head breaks stays as it is at base, and its problem is reported).
 * 2. Compute the blast radius (agents whose resolutions differ).
 * 3. Classify the changes, counting consumers from the blast radius.
 * 4. Check what the change does to the agents it touches: overlays, models, conflicts.
 */
export function buildAffected(facts: AffectedFacts): { report: AffectedReport; closureOf: (agent: string) => AffectedClosures | undefined } {
  const history = { ...facts.history, head: keepUnreadableAsBase(facts.history.head, facts.history.base) };
  const base = buildRegistryState(history.tags, history.base, history.leftOut);
  const head = buildRegistryState(history.tags, history.head, history.leftOut);
  const radius = computeBlastRadius(base, head, facts.agents);
  const { changes, problems: changeProblems } = classifyChanges(
    history,
    {
      count: (key) => radius.consumers.get(key) ?? 0,
      gaining: (asset, scopes) => scopeGainers(radius.resolutions, asset as AssetId, scopes),
    },
    facts.today,
  );
  // An asset the head touches but whose manifest does not read is kept as it is at base; it
  // is still a change, so the comment shows what the PR touched and not only its error.
  const unreadable = [...(facts.history.head.unreadable ?? [])].filter((id) => facts.history.base.assets.has(id) && !facts.history.head.assets.has(id));
  // Such an asset did not change for the blast radius, so its consumers are counted here (a rare case: every agent is resolved).
  const resolveHead = unreadable.length > 0 ? createResolver(head) : null;
  const heads = resolveHead ? facts.agents.map((agent) => resolveHead(agent)) : [];
  for (const id of unreadable) {
    const was = facts.history.base.assets.get(id)!;
    changes.push({
      asset: id,
      from: was.version,
      to: was.version,
      bump: null,
      flags: ["unreadable"],
      details: [`the head's ${MANIFEST_FILE[was.kind]} could not be read (its problem says why); ${id} is taken as it is at base until it is fixed`],
      scopesAdded: [],
      consumers: heads.filter((resolution) => resolution.assets.has(id)).length,
      gainedBy: [],
    });
  }
  changes.sort((a, b) => byText(a.asset, b.asset));

  // Problems the change brings to the agents it touches; the rest is `validate`'s job.
  const affected = new Map(radius.affected.map((entry) => [entry.agent, entry]));
  const agentProblems = facts.agents.flatMap((agent) => {
    const entry = affected.get(agent.name);
    if (!entry) return [];
    const pair = radius.resolutions.get(agent.name);
    const modelMoved = entry.moves.some((move) => move.asset.startsWith("model:"));
    return [
      ...(pair ? checkOverlays(agent, pair.head, pair.base) : []),
      ...(modelMoved ? checkModel(agent, pair?.head ?? createResolver(head)(agent), head.models, facts.today) : []),
    ];
  });
  const problems = sortProblems(
    uniqueProblems([
      ...facts.loadProblems,
      ...checkUniqueAgents(facts.agents),
      ...findCycles(history.head.assets),
      ...checkRequirements(head, semver.satisfies),
      ...changeProblems,
      ...radius.problems,
      ...agentProblems,
    ]),
  );
  // What each affected agent's evals run with, at base and at head. Agents that moved only
  // by their model were not resolved by the blast radius; their closures are resolved here.
  const agentsByName = new Map(facts.agents.map((agent) => [agent.name, agent]));
  const resolveAt = { base: createResolver(base), head: createResolver(head) };
  const closureOf = (name: string): AffectedClosures | undefined => {
    const agent = agentsByName.get(name);
    if (!affected.has(name) || !agent) return undefined;
    const pair = radius.resolutions.get(name) ?? { base: resolveAt.base(agent), head: resolveAt.head(agent) };
    return { base: describeClosure(pair.base), head: describeClosure(pair.head) };
  };
  const { errors, warnings } = countProblems(problems);
  const report: AffectedReport = {
    schemaVersion: 1,
    base: facts.refs.base,
    head: facts.refs.head,
    summary: {
      changes: changes.length,
      affected: radius.affected.length,
      unaffected: radius.unaffected.length,
      agents: facts.agents.length,
      refused: facts.refused ?? 0,
      errors,
      warnings,
    },
    changes,
    affected: [...radius.affected],
    unaffected: [...radius.unaffected],
    problems,
  };
  return { report, closureOf };
}

/** Agents whose resolved version of `asset` has any of `scopes` at head but not at base. */
function scopeGainers(resolutions: BlastRadius["resolutions"], asset: AssetId, scopes: readonly string[]): string[] {
  const has = (version: AssetVersion | undefined, scope: string) =>
    version?.server !== undefined && (version.server.scopes.includes(scope) || version.server.tools.some((tool) => tool.scopes.includes(scope)));
  const gainers: string[] = [];
  for (const [name, pair] of resolutions) {
    const before = versionOf(pair.base, asset);
    const after = versionOf(pair.head, asset);
    if (scopes.some((scope) => has(after, scope) && !has(before, scope))) gainers.push(name);
  }
  return gainers.sort();
}


/** The version a resolution chooses for an asset, read off the integers when the resolver kept them. */
function versionOf(resolution: Resolution, asset: AssetId): AssetVersion | undefined {
  return resolution instanceof ResolvedClosure ? resolution.versionOf(asset) : resolution.assets.get(asset)?.version;
}

/** An agent's resolution as data for its evals: the model and every asset with its version and content id. */
export function describeClosure(resolution: Resolution): Closure {
  if (resolution instanceof ResolvedClosure) {
    // The integers the resolver keeps, without building the closure's map of ranges and edges.
    return {
      status: resolution.status,
      model: { ref: resolution.model.ref, id: resolution.model.id },
      assets: resolution.sortedVersions().map(({ asset, version }) => ({ asset, version: version.version, contentHash: version.contentHash })),
    };
  }
  return {
    status: resolution.status,
    model: { ref: resolution.model.ref, id: resolution.model.id },
    assets: [...resolution.assets]
      .map(([asset, resolved]) => ({ asset, version: resolved.version.version, contentHash: resolved.version.contentHash }))
      .sort((a, b) => byText(a.asset, b.asset)),
  };
}

/** Everything `validate` needs: one registry tree (with the tags) and the agents. */
export interface ValidateFacts {
  readonly tags: RegistryHistory["tags"];
  readonly tree: RegistryHistory["head"];
  readonly leftOut?: RegistryHistory["leftOut"];
  readonly agents: readonly AgentFacts[];
  readonly loadProblems: readonly Problem[];
  readonly today: string;
}

/** Every problem in a registry and its agents: files, cycles, requirements, and each agent resolved. */
export function validateOrg(facts: ValidateFacts): Problem[] {
  const state = buildRegistryState(facts.tags, facts.tree, facts.leftOut);
  const resolve = createResolver(state);
  const agentProblems = facts.agents.flatMap((agent) => checkAgent(agent, resolve(agent), state, facts.today));
  return sortProblems(
    uniqueProblems([
      ...facts.loadProblems,
      ...checkUniqueAgents(facts.agents),
      ...findCycles(facts.tree.assets),
      ...checkRequirements(state, semver.satisfies),
      ...agentProblems,
    ]),
  );
}
