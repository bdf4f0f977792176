import semver from "semver";
import type { AffectedReport } from "../../../schemas/affected-report.schema.ts";
import { checkModel, checkModelResolves, checkOverlays } from "./check-agent.ts";
import { checkRequirements, checkUniqueAgents, findCycles } from "./check-registry.ts";
import { classifyChanges } from "./classify-changes.ts";
import { computeBlastRadius, describeConflict, type BlastRadius } from "./compute-blast-radius.ts";
import type { AgentFacts, AssetId, AssetVersion } from "./model.ts";
import { problemAt, sortProblems, uniqueProblems, type Problem } from "../problems.ts";
import { buildRegistryState, keepUnreadableAsBase, type RegistryHistory } from "./registry-state.ts";
import { createResolver } from "./resolve-agent.ts";

/** Everything `affected` needs, already read from git and disk. */
export interface AffectedFacts {
  readonly history: RegistryHistory;
  readonly agents: readonly AgentFacts[];
  /** Problems found while reading files (syntax, schema, missing files). */
  readonly loadProblems: readonly Problem[];
  readonly refs: { readonly base: string; readonly head: string };
  /** Today as YYYY-MM-DD, for model retirement dates. */
  readonly today: string;
}

/**
 * The affected report for a registry change.
 *
 * 1. Build the registry state at base and at head (tags plus each tree; an asset whose
 *    manifest the head breaks stays as it is at base, and its problem is reported).
 * 2. Compute the blast radius (agents whose resolutions differ).
 * 3. Classify the changes, counting consumers from the blast radius.
 * 4. Check what the change does to the agents it touches: overlays, models, conflicts.
 */
export function buildAffectedReport(facts: AffectedFacts): AffectedReport {
  const history = { ...facts.history, head: keepUnreadableAsBase(facts.history.head, facts.history.base) };
  const base = buildRegistryState(history.tags, history.base);
  const head = buildRegistryState(history.tags, history.head);
  const radius = computeBlastRadius(base, head, facts.agents);
  const { changes, problems: changeProblems } = classifyChanges(
    history,
    {
      count: (key) => radius.consumers.get(key) ?? 0,
      gaining: (asset, scopes) => scopeGainers(radius.resolutions, asset as AssetId, scopes),
    },
    facts.today,
  );

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
  return {
    schemaVersion: 1,
    base: facts.refs.base,
    head: facts.refs.head,
    summary: {
      changes: changes.length,
      affected: radius.affected.length,
      unaffected: radius.unaffected.length,
      agents: facts.agents.length,
      errors: problems.filter((problem) => problem.level === "error").length,
      warnings: problems.filter((problem) => problem.level === "warning").length,
    },
    changes,
    affected: [...radius.affected],
    unaffected: [...radius.unaffected],
    problems,
  };
}

/** Agents whose resolved version of `asset` has any of `scopes` at head but not at base. */
function scopeGainers(resolutions: BlastRadius["resolutions"], asset: AssetId, scopes: readonly string[]): string[] {
  const has = (version: AssetVersion | undefined, scope: string) =>
    version?.server !== undefined && (version.server.scopes.includes(scope) || version.server.tools.some((tool) => tool.scopes.includes(scope)));
  const gainers: string[] = [];
  for (const [name, pair] of resolutions) {
    const before = pair.base.assets.get(asset)?.version;
    const after = pair.head.assets.get(asset)?.version;
    if (scopes.some((scope) => has(after, scope) && !has(before, scope))) gainers.push(name);
  }
  return gainers.sort();
}

/** Everything `validate` needs: one registry tree (with the tags) and the agents. */
export interface ValidateFacts {
  readonly tags: RegistryHistory["tags"];
  readonly tree: RegistryHistory["head"];
  readonly agents: readonly AgentFacts[];
  readonly loadProblems: readonly Problem[];
  readonly today: string;
}

/** Every problem in a registry and its agents: files, cycles, requirements, and each agent resolved. */
export function validateOrg(facts: ValidateFacts): Problem[] {
  const state = buildRegistryState(facts.tags, facts.tree);
  const resolve = createResolver(state);
  const agentProblems = facts.agents.flatMap((agent) => {
    const resolution = resolve(agent);
    const problems = resolution.conflicts.map((conflict) => {
      const first = conflict.ranges.find((range) => range.source.file === agent.source.file) ?? conflict.ranges[0];
      return problemAt(first?.source ?? agent.source, first?.line ?? 1, "error", "unsatisfiable", describeConflict(conflict, false, state.assets), agent.name);
    });
    return [...problems, ...checkModelResolves(agent, resolution), ...checkOverlays(agent, resolution), ...checkModel(agent, resolution, state.models, facts.today)];
  });
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
