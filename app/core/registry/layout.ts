import semver from "semver";
import type { AssetKind } from "./model.ts";

/**
 * Where things live in a registry repo. Every reader (git on disk, the GitHub API, the
 * tests' in-memory one) asks these functions which paths to fetch, so the layout is
 * written once.
 */

/** The manifest file of an asset's folder. */
export const MANIFEST_FILE: Readonly<Record<AssetKind, string>> = { server: "server.yaml", skill: "SKILL.md" };

/** The registry's models file, at its root. */
export const MODELS_FILE = "models.yaml";

/** The gate policy, read from the base ref only. */
export const GATE_POLICY_FILE = ".github/blastgate.yml";

/** The folders that hold assets, one subfolder per asset. */
export const ASSET_FOLDERS: Readonly<Record<AssetKind, string>> = { server: "servers", skill: "skills" };

/** `servers/crm`. */
export function assetFolder(kind: AssetKind, name: string): string {
  return `${ASSET_FOLDERS[kind]}/${name}`;
}

/** `servers/crm/server.yaml`. */
export function manifestPath(kind: AssetKind, name: string): string {
  return `${assetFolder(kind, name)}/${MANIFEST_FILE[kind]}`;
}

/** The kind of asset a top-level folder holds (`servers` → server), if it holds assets. */
export function kindOfFolder(folder: string): AssetKind | null {
  return folder === "servers" ? "server" : folder === "skills" ? "skill" : null;
}

/** A release tag, `servers/<name>@<version>` or `skills/<name>@<version>`, taken apart. */
export interface ReleaseTag {
  readonly tag: string;
  readonly kind: AssetKind;
  readonly name: string;
  readonly version: string;
}

const tagPattern = /^(servers|skills)\/([a-z0-9]+(?:-[a-z0-9]+)*)@(.+)$/;

/** The tag namespaces releases live under (`refs/tags/<prefix>`). */
export const RELEASE_TAG_PREFIXES = ["servers/", "skills/"] as const;

/** Parses a release tag's name; null when it is not `<kind>s/<name>@<exact semver>`. */
export function parseReleaseTag(tag: string): ReleaseTag | null {
  const match = tagPattern.exec(tag);
  if (!match || semver.valid(match[3]!) !== match[3]) return null;
  return { tag, kind: kindOfFolder(match[1]!)!, name: match[2]!, version: match[3]! };
}

/** The tag a version is published as. */
export function releaseTag(kind: AssetKind, name: string, version: string): string {
  return `${assetFolder(kind, name)}@${version}`;
}
