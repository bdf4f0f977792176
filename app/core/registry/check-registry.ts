import { closest } from "../files/parse-yaml.ts";
import { assetId, splitAssetId, type AgentFacts, type AssetId, type AssetVersion, type RegistryState } from "./model.ts";
import { problemAt, type Problem } from "../problems.ts";

/**
 * A published asset of the same kind whose name is within a typo of `id`'s, for "did you
 * mean": `server:tickting` → `server:ticketing`.
 */
export function suggestAsset(id: AssetId, assets: RegistryState["assets"]): AssetId | undefined {
  const { kind, name } = splitAssetId(id);
  const names = [...assets]
    .filter(([other, versions]) => other !== id && versions.length > 0 && splitAssetId(other).kind === kind)
    .map(([other]) => splitAssetId(other).name)
    .sort();
  const match = closest(name, names);
  return match === undefined ? undefined : assetId(kind, match);
}

/** How to fix a requirement on an asset that does not exist: the likely name, or where to look. */
export function fixUnknownAsset(id: AssetId, assets: RegistryState["assets"]): string {
  const suggestion = suggestAsset(id, assets);
  return suggestion ? `did you mean \`${suggestion}\`?` : "fix the name, or publish the asset first";
}

/**
 * Why an asset has no usable version: every published one was left out as invalid (the
 * first reason, with its file and line), or it does not exist (the likely name).
 */
export function describeMissingAsset(id: AssetId, state: Pick<RegistryState, "assets" | "leftOut">): string {
  const leftOut = state.leftOut?.get(id) ?? [];
  if (leftOut.length > 0) {
    const first = leftOut[0]!;
    const reason = first.message;
    const count = leftOut.length === 1 ? "" : `${leftOut.length} problems, the first: `;
    return `${id} exists, but every published version is left out as invalid (${count}${first.path}:${first.line}${first.ref ? ` at ${first.ref}` : ""}: ${reason}). Publish a fixed version`;
  }
  return `${id} does not exist in the registry; ${fixUnknownAsset(id, state.assets)}`;
}

/**
 * Dependency cycles among the assets of a tree, each reported once with its path,
 * e.g. `skill:a → skill:b → skill:a`. A cycle makes releases impossible to order.
 */
export function findCycles(tree: ReadonlyMap<AssetId, AssetVersion>): Problem[] {
  const problems: Problem[] = [];
  const state = new Map<AssetId, "open" | "done">();
  const reported = new Set<string>();
  const visit = (id: AssetId, path: AssetId[]): void => {
    state.set(id, "open");
    for (const requirement of tree.get(id)?.requires ?? []) {
      const next = requirement.asset;
      if (state.get(next) === "open") {
        const cycle = [...path.slice(path.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join(",");
        if (!reported.has(key)) {
          reported.add(key);
          problems.push(problemAt(requirement.source, requirement.line, "error", "cycle", `dependency cycle ${cycle.join(" → ")}; remove one of these requirements`));
        }
      } else if (!state.has(next) && tree.has(next)) {
        visit(next, [...path, next]);
      }
    }
    state.set(id, "done");
  };
  for (const id of [...tree.keys()].sort()) if (!state.has(id)) visit(id, [id]);
  return problems;
}

/** Requirements of tree versions on assets that do not exist, or that no published version satisfies. */
export function checkRequirements(state: RegistryState, satisfies: (version: string, range: string) => boolean): Problem[] {
  const problems: Problem[] = [];
  for (const version of state.tree.values()) {
    for (const requirement of version.requires) {
      const versions = state.assets.get(requirement.asset);
      if (!versions || versions.length === 0) {
        if (state.unreadable?.has(requirement.asset)) continue; // its own problem says why
        problems.push(problemAt(requirement.source, requirement.line, "error", "unknown-asset", `${version.id} requires ${requirement.asset}, but ${describeMissingAsset(requirement.asset, state)}`));
      } else if (!versions.some((candidate) => satisfies(candidate.version, requirement.range))) {
        problems.push(
          problemAt(requirement.source, requirement.line, "error", "unsatisfiable",
            `${version.id} requires ${requirement.asset}@${requirement.range}, but published versions are ${versions.map((v) => v.version).join(", ")}; widen the range`),
        );
      }
    }
  }
  return problems;
}

/** Agent names must be unique across the org: the gate keys everything by name. Each repo using a taken name is told so. */
export function checkUniqueAgents(agents: readonly AgentFacts[]): Problem[] {
  const byName = new Map<string, AgentFacts[]>();
  for (const agent of agents) byName.set(agent.name, [...(byName.get(agent.name) ?? []), agent]);
  return [...byName.values()]
    .filter((repos) => repos.length > 1)
    .flatMap((repos) =>
      repos.map((agent) =>
        problemAt(agent.source, 1, "error", "duplicate-agent",
          `agent name \`${agent.name}\` is used by ${repos.length} agent repos; agent names must be unique in the org, so rename all but one`, agent.name),
      ),
    );
}
