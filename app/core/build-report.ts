import semver from "semver";
import type { AffectedReport } from "../../schemas/affected-report.schema.ts";
import { checkModel, checkOverlays } from "./check-agent.ts";
import { checkRequirements, checkUniqueAgents, findCycles } from "./check-registry.ts";
import { classifyChanges } from "./classify-changes.ts";
import { computeBlastRadius, describeConflict } from "./compute-blast-radius.ts";
import type { AgentFacts } from "./model.ts";
import { problemAt, sortProblems, uniqueProblems, type Problem } from "./problems.ts";
import { buildRegistryState, type RegistryHistory } from "./registry-state.ts";
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
 * 1. Build the registry state at base and at head (tags plus each tree).
 * 2. Compute the blast radius (agents whose resolutions differ).
 * 3. Classify the changes, counting consumers from the blast radius.
 * 4. Check what the change does to the agents it touches: overlays, models, conflicts.
 */
export function buildAffectedReport(facts: AffectedFacts): AffectedReport {
  const base = buildRegistryState(facts.history.tags, facts.history.base);
  const head = buildRegistryState(facts.history.tags, facts.history.head);
  const radius = computeBlastRadius(base, head, facts.agents);
  const { changes, problems: changeProblems } = classifyChanges(facts.history, (key) => radius.consumers.get(key) ?? 0, facts.today);

  const affectedNames = new Set(radius.affected.map((agent) => agent.agent));
  const agentProblems = facts.agents.flatMap((agent) => {
    if (!affectedNames.has(agent.name)) return [];
    const pair = radius.resolutions.get(agent.name);
    const headResolution = pair?.head ?? createResolver(head)(agent);
    return [...(pair ? checkOverlays(agent, pair.head, pair.base) : []), ...checkModel(agent, headResolution, head.models, facts.today)];
  });
  const problems = sortProblems(
    uniqueProblems([
      ...facts.loadProblems,
      ...checkUniqueAgents(facts.agents),
      ...findCycles(facts.history.head.assets),
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
    const problems: Problem[] = resolution.conflicts.map((conflict) => {
      const first = conflict.ranges.find((range) => range.source === agent.source) ?? conflict.ranges[0];
      return problemAt(first?.source ?? agent.source, first?.line ?? 1, "error", "unsatisfiable", describeConflict(conflict, false), agent.name);
    });
    if (resolution.model.id === null) {
      problems.push(problemAt(agent.source, agent.modelLine, "error", "unknown-model", `model \`${agent.model}\` is neither \`default\`, an alias in models.yaml, nor a model id (\`claude-…\`); use one of those`, agent.name));
    }
    return [...problems, ...checkOverlays(agent, resolution), ...checkModel(agent, resolution, state.models, facts.today)];
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
