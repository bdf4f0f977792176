import { byText } from "../by-text.ts";
import { problemAt, type Problem, type SourceLocation } from "../problems.ts";
import { manifestPath } from "../registry/layout.ts";
import { splitAssetId, type AssetVersion } from "../registry/model.ts";
import { buildRegistryState, type RegistryHistory, type TreeSnapshot } from "../registry/registry-state.ts";
import { shownVersion } from "./build-catalog.ts";
import { exportedName } from "./build-server-json.ts";

/** What deciding the server.json export needs: the registry at the catalog's ref and the gate policy's namespace. */
export interface ServerExportFacts {
  readonly tags: RegistryHistory["tags"];
  readonly tree: TreeSnapshot;
  /** `catalog.namespace` from the gate policy; null when the policy is invalid (its problems say why). */
  readonly namespace: string | null;
}

/** Which servers `catalog` writes a server.json for (by name), and why the others are not written. */
export interface ServerExportPlan {
  readonly exported: ReadonlySet<string>;
  readonly problems: readonly Problem[];
}

/**
 * Decides which servers export as an MCP registry server.json at the catalog's ref.
 *
 * 1. Without a namespace (an invalid gate policy), none: one warning on the policy file.
 * 2. A server whose server.yaml is unreadable at the ref: not exported (the catalog falls
 *    back to a published version, which is not what the ref holds), one warning.
 * 3. Servers whose MCP registry names collide (`checkServerNames`): none of them.
 */
export function planServerExport(facts: ServerExportFacts, policySource: SourceLocation): ServerExportPlan {
  const names = checkServerNames(facts);
  if (facts.namespace === null) {
    const skipped = problemAt(
      policySource,
      1,
      "warning",
      "not-exported",
      "has errors, so no server.json was exported: each server's MCP registry name and blastgate's `_meta` key come from its `catalog.namespace`; fix it and run catalog again (catalog.json was written)",
    );
    return { exported: new Set(), problems: [...names.problems, skipped] };
  }
  const unreadable = [...unreadableServers(facts.tree)].sort(byText);
  const problems: Problem[] = [...names.problems];
  for (const name of unreadable) {
    problems.push(
      problemAt(
        { ...facts.tree.modelsSource, path: manifestPath("server", name) },
        1,
        "warning",
        "not-exported",
        `was not exported: this server.yaml has errors, and no published version is what this ref holds; fix it and run catalog again (servers/${name}.json was not written)`,
      ),
    );
  }
  const exported = new Set(
    exportCandidates(facts)
      .map((version) => version.name)
      .filter((name) => !names.conflicting.has(name)),
  );
  return { exported, problems };
}

/**
 * Servers whose exported MCP registry names are the same (`<namespace>/<name>`, or
 * server.yaml's `mcpName`): an error on each server.yaml after the first, by server name.
 * Without a namespace, only `mcpName`s are compared. `catalog` writes none of them; `validate`
 * reports the same problems.
 */
export function checkServerNames(facts: ServerExportFacts): { problems: Problem[]; conflicting: ReadonlySet<string> } {
  const byName = new Map<string, AssetVersion[]>();
  for (const version of exportCandidates(facts)) {
    const server = version.server!;
    if (facts.namespace === null && server.mcpName === undefined) continue;
    const name = exportedName(server, facts.namespace ?? "");
    byName.set(name, [...(byName.get(name) ?? []), version]);
  }
  const problems: Problem[] = [];
  const conflicting = new Set<string>();
  for (const [name, [first, ...others]] of byName) {
    if (others.length === 0) continue;
    conflicting.add(first!.name);
    for (const other of others) {
      conflicting.add(other.name);
      problems.push(
        problemAt(
          other.source,
          1,
          "error",
          "duplicate-server-name",
          `exports to the MCP registry as \`${name}\`, the name server \`${first!.name}\` (${first!.source.path}) exports as too; give one of them another \`mcpName\`. catalog writes neither server.json`,
        ),
      );
    }
  }
  return { problems, conflicting };
}

/** The servers the catalog describes, as the versions it describes, by name; less those unreadable at the ref. */
function exportCandidates(facts: ServerExportFacts): AssetVersion[] {
  const state = buildRegistryState(facts.tags, facts.tree);
  const unreadable = unreadableServers(facts.tree);
  return [...state.assets.keys()]
    .filter((id) => id.startsWith("server:"))
    .sort(byText)
    .map((id) => shownVersion(state, id))
    .filter((version): version is AssetVersion => version?.server !== undefined && !unreadable.has(version.name));
}

/** Names of the servers whose server.yaml the ref holds but could not be read. */
function unreadableServers(tree: TreeSnapshot): Set<string> {
  return new Set([...(tree.unreadable ?? [])].map(splitAssetId).flatMap(({ kind, name }) => (kind === "server" ? [name] : [])));
}
