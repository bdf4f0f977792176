import type { ModelsConfig } from "../../../schemas/models.schema.ts";
import { followsFromUnreadable, type AgentFacts, type RegistryState } from "./model.ts";
import { isSameFile, problemAt, type Problem } from "../problems.ts";
import { describeConflict } from "./compute-blast-radius.ts";
import type { Resolution } from "./resolve-agent.ts";

/**
 * Overlays that no longer apply: a heading the overlay replaced in the skill version the
 * agent resolves at base (or one it declares in `replaces`) that the head version lacks.
 * Without `base`, every declared heading is checked against `head` (validation).
 */
export function checkOverlays(agent: AgentFacts, head: Resolution, base?: Resolution): Problem[] {
  const problems: Problem[] = [];
  for (const [skill, overlay] of agent.overlays) {
    const atHead = head.assets.get(`skill:${skill}`)?.version;
    if (!atHead?.skill) continue;
    const headHeadings = new Set(atHead.skill.headings);
    const baseHeadings = new Set(base?.assets.get(`skill:${skill}`)?.version.skill?.headings ?? []);
    const replacedAtBase = [...overlay.headings.keys()].filter((heading) => baseHeadings.has(heading));
    const expected = new Set([...replacedAtBase, ...(overlay.declaredReplaces ?? [])]);
    for (const heading of expected) {
      if (headHeadings.has(heading)) continue;
      const was = base?.assets.get(`skill:${skill}`)?.version.version;
      problems.push(
        problemAt(overlay.source, overlay.headings.get(heading) ?? 1, "error", "overlay-stale",
          `overlay no longer applies: it replaces \`## ${heading}\`, which skill:${skill}@${atHead.version} ${was && was !== atHead.version ? `(was ${was}) ` : ""}no longer has, so the section would be appended instead. Rename the heading to match the skill's (${[...headHeadings].map((h) => `\`${h}\``).join(", ") || "no sections"}), or pin the skill`,
          agent.name),
      );
    }
  }
  return problems;
}

/**
 * An agent whose `model` names neither `default`, an alias in models.yaml, nor a model id.
 * Without a usable models.yaml, that file's own problem is the one to report.
 */
export function checkModelResolves(agent: AgentFacts, resolution: Pick<Resolution, "model">, state: Pick<RegistryState, "models">): Problem[] {
  if (resolution.model.id !== null || state.models === null) return [];
  return [
    problemAt(agent.source, agent.modelLine, "error", "unknown-model",
      `model \`${agent.model}\` is neither \`default\`, an alias in models.yaml, nor a model id (\`claude-…\`); use one of those`, agent.name),
  ];
}

/** A resolved model that is deprecated (error once retired) or not in the allowed list. */
export function checkModel(agent: AgentFacts, resolution: Resolution, models: ModelsConfig | null, today: string): Problem[] {
  const id = resolution.model.id;
  if (id === null || models === null) return [];
  const problems: Problem[] = [];
  const via = resolution.model.ref === `model:${id}` ? "" : ` (via \`${agent.model}\`)`;
  const deprecation = models.deprecated[id];
  if (deprecation) {
    const retired = deprecation.retires <= today;
    problems.push(
      problemAt(agent.source, agent.modelLine, retired ? "error" : "warning", "deprecated-model",
        `uses ${id}${via}, which is deprecated and ${retired ? "retired on" : "retires on"} ${deprecation.retires}; move to ${deprecation.replacement}`,
        agent.name),
    );
  }
  // Through `default` or an alias, a model models.yaml does not allow is models.yaml's own error, reported there once.
  if (models.allowed && !models.allowed.includes(id) && via === "") {
    problems.push(
      problemAt(agent.source, agent.modelLine, "error", "disallowed-model", `uses ${id}${via}, which models.yaml does not allow; pick one of ${models.allowed.join(", ")}`, agent.name),
    );
  }
  return problems;
}

/**
 * Every problem one agent has against one registry state: its ranges resolve (each
 * conflict named), its model resolves and is allowed and current, and its overlays apply.
 * What an agent-repo PR is checked with, and `validate` for each agent.
 */
export function checkAgent(agent: AgentFacts, resolution: Resolution, state: RegistryState, today: string): Problem[] {
  const conflicts = resolution.conflicts.filter((conflict) => !followsFromUnreadable(conflict, state)).map((conflict) => {
    const first = conflict.ranges.find((range) => isSameFile(range.source, agent.source)) ?? conflict.ranges[0];
    return problemAt(first?.source ?? agent.source, first?.line ?? 1, "error", "unsatisfiable", describeConflict(conflict, false, state), agent.name);
  });
  return [...conflicts, ...checkModelResolves(agent, resolution, state), ...checkOverlays(agent, resolution), ...checkModel(agent, resolution, state.models, today)];
}
