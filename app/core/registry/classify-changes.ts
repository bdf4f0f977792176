import semver from "semver";
import type { ModelsConfig } from "../../../schemas/models.schema.ts";
import type { Change, ChangeFlag } from "../../../schemas/affected-report.schema.ts";
import { diffToolContract } from "./diff-tool-contract.ts";
import type { AssetId, AssetVersion } from "./model.ts";
import { problemAt, type Problem } from "../problems.ts";
import type { RegistryHistory } from "./registry-state.ts";

/** What the blast radius knows about an asset's consumers: how many at head, and who gains given scopes. */
export interface ConsumerFacts {
  readonly count: (asset: string) => number;
  readonly gaining: (asset: string, scopes: readonly string[]) => string[];
}

/**
 * Lists what a registry PR changes, asset by asset and model by model, with the flags a
 * reviewer needs: the semver bump, content changed without a bump, breaking tool
 * contract changes (and whether the bump admits them), scopes added, model retargets.
 */
export function classifyChanges(history: RegistryHistory, consumers: ConsumerFacts, today: string): { changes: Change[]; problems: Problem[] } {
  const changes: Change[] = [];
  const problems: Problem[] = [];
  const ids = [...new Set<AssetId>([...history.base.assets.keys(), ...history.head.assets.keys()])].sort();
  for (const id of ids) {
    const change = classifyAsset(id, history.base.assets.get(id), history.head.assets.get(id), history, problems);
    if (change) changes.push({ ...change, consumers: consumers.count(id), gainedBy: change.scopesAdded.length > 0 ? consumers.gaining(id, change.scopesAdded) : [] });
  }
  changes.push(...classifyModels(history.base.models, history.head.models, consumers, today));
  return { changes, problems };
}

type Draft = Omit<Change, "consumers" | "gainedBy">;

function classifyAsset(
  id: AssetId,
  base: AssetVersion | undefined,
  head: AssetVersion | undefined,
  history: RegistryHistory,
  problems: Problem[],
): Draft | null {
  if (!head) return base ? { asset: id, from: base.version, to: null, bump: null, flags: ["removed"], details: [`${id} removed from the registry`], scopesAdded: [] } : null;

  const flags = new Set<ChangeFlag>();
  const details: string[] = [];
  const tagged = (history.tags.get(id) ?? []).find((version) => version.version === head.version);
  if (tagged && tagged.contentHash !== head.contentHash) {
    flags.add("content-changed-without-bump");
    problems.push(
      problemAt(head.source, head.versionLine, "error", "unbumped-change",
        `${id}@${head.version} is already published (tag \`${head.kind}s/${head.name}@${head.version}\`) with other content; published versions are immutable, so bump the version`),
    );
  }
  if (!base) {
    flags.add("added");
    return { asset: id, from: null, to: head.version, bump: null, flags: [...flags], details: [`${id} added at ${head.version}`], scopesAdded: scopesOf(head) };
  }
  if (base.version === head.version && base.contentHash === head.contentHash && flags.size === 0) return null;

  const bump = bumpKind(base.version, head.version);
  if (bump === "downgrade") flags.add("downgrade");
  if (bump === "none" && base.contentHash !== head.contentHash && !flags.has("content-changed-without-bump")) {
    flags.add("content-changed-without-bump");
    problems.push(
      problemAt(head.source, head.versionLine, "error", "unbumped-change",
        `${id} changed but its version is still ${head.version}; bump the version (a patch for fixes, a minor for additions, a major for breaking changes)`),
    );
  }

  const added = scopesOf(head).filter((scope) => !scopesOf(base).includes(scope));
  const removed = scopesOf(base).filter((scope) => !scopesOf(head).includes(scope));
  if (added.length > 0) {
    flags.add("scopes-added");
    details.push(`scopes added: ${added.join(", ")} (security review)`);
  }
  if (removed.length > 0) {
    flags.add("scopes-removed");
    details.push(`scopes removed: ${removed.join(", ")}`);
  }

  if (base.server && head.server) {
    const contract = diffToolContract(base.server.tools, head.server.tools);
    for (const item of contract) {
      flags.add(item.kind);
      details.push(item.breaking ? `breaking: ${item.detail}` : item.detail);
    }
    if (contract.some((item) => item.breaking)) {
      flags.add("breaking");
      const underMinor = bump === "minor" && semver.major(base.version) >= 1;
      const underPatch = bump === "patch" || bump === "none";
      if (underMinor) flags.add("breaking-under-minor");
      if (underPatch) flags.add("breaking-under-patch");
      if (underMinor || underPatch) {
        problems.push(
          problemAt(head.source, head.versionLine, "error", "breaking-under-minor",
            `${id} ${base.version} → ${head.version} is a ${bump === "none" ? "same-version" : bump} release with breaking tool changes (${contract.filter((item) => item.breaking).map((item) => item.detail).join("; ")}); make it a major release, or keep the old contract`),
        );
      }
    }
    if (base.server.lifecycle !== head.server.lifecycle) {
      flags.add("lifecycle-changed");
      details.push(`lifecycle ${base.server.lifecycle} → ${head.server.lifecycle}`);
    }
  }

  if (base.skill && head.skill) {
    const before = new Set(base.skill.headings);
    const after = new Set(head.skill.headings);
    const added = head.skill.headings.filter((heading) => !before.has(heading));
    const dropped = base.skill.headings.filter((heading) => !after.has(heading));
    if (added.length > 0 || dropped.length > 0) flags.add("sections-changed");
    if (added.length > 0) details.push(`sections added: ${added.map((h) => `\`## ${h}\``).join(", ")}`);
    if (dropped.length > 0) details.push(`sections removed: ${dropped.map((h) => `\`## ${h}\``).join(", ")} (overlays replacing them stop applying)`);
  }

  const requiresBefore = requiresKey(base);
  const requiresAfter = requiresKey(head);
  if (requiresBefore !== requiresAfter) {
    flags.add("requires-changed");
    details.push(`requires: ${requiresBefore || "nothing"} → ${requiresAfter || "nothing"}`);
  }
  if (flags.size === 0 && bump === "none") return null;
  return { asset: id, from: base.version, to: head.version, bump, flags: [...flags], details, scopesAdded: added };
}

/** The semver distance between two versions, as the report names it. */
export function bumpKind(from: string, to: string): NonNullable<Change["bump"]> {
  const order = semver.compare(from, to);
  if (order === 0) return "none";
  if (order > 0) return "downgrade";
  const diff = semver.diff(from, to);
  if (diff === "major" || diff === "minor" || diff === "patch") return diff;
  return "prerelease";
}

function scopesOf(version: AssetVersion): string[] {
  if (!version.server) return [];
  return [...new Set([...version.server.scopes, ...version.server.tools.flatMap((tool) => tool.scopes)])].sort();
}

function requiresKey(version: AssetVersion): string {
  return version.requires.map((requirement) => `${requirement.asset}@${requirement.range}`).sort().join(", ");
}

function classifyModels(base: ModelsConfig | null, head: ModelsConfig | null, consumers: ConsumerFacts, today: string): Change[] {
  if (!base || !head) return [];
  const changes: Change[] = [];
  const modelFlags = (model: string): ChangeFlag[] => {
    const flags: ChangeFlag[] = ["model-retarget"];
    if (head.deprecated[model]) flags.push("deprecated-model");
    if (head.allowed && !head.allowed.includes(model)) flags.push("disallowed-model");
    return flags;
  };
  const modelDetails = (model: string): string[] => {
    const deprecation = head.deprecated[model];
    if (!deprecation) return [];
    const retired = deprecation.retires <= today;
    return [`${model} is deprecated: ${retired ? "retired" : "retires"} ${deprecation.retires}; move to ${deprecation.replacement}`];
  };
  if (base.default !== head.default) {
    changes.push({
      asset: "model:default",
      from: base.default,
      to: head.default,
      bump: null,
      flags: modelFlags(head.default),
      details: [`default model ${base.default} → ${head.default}`, ...modelDetails(head.default)],
      scopesAdded: [],
      consumers: consumers.count("model:default"),
      gainedBy: [],
    });
  }
  const aliases = [...new Set([...Object.keys(base.aliases), ...Object.keys(head.aliases)])].sort();
  for (const alias of aliases) {
    const from = base.aliases[alias] ?? null;
    const to = head.aliases[alias] ?? null;
    if (from === to) continue;
    const asset = `model:alias:${alias}`;
    const flags: ChangeFlag[] = to === null ? ["alias-removed"] : from === null ? ["alias-added"] : modelFlags(to);
    changes.push({
      asset,
      from,
      to,
      bump: null,
      flags,
      details: to === null ? [`alias \`${alias}\` removed; agents using it no longer resolve a model`] : [`alias \`${alias}\` ${from ?? "(new)"} → ${to}`, ...modelDetails(to)],
      scopesAdded: [],
      consumers: consumers.count(asset),
      gainedBy: [],
    });
  }
  return changes;
}
