import { MAX_FILE_BYTES, sizeOf, tooLarge } from "../files/size-limit.ts";
import { problemAt, relocateProblem, type Problem, type SourceLocation } from "../problems.ts";
import { kebabName } from "../../../schemas/common.ts";
import { assetFolder, MANIFEST_FILE, manifestPath, MODELS_FILE, parseReleaseTag } from "./layout.ts";
import { assetId, type AssetId, type AssetKind, type AssetVersion } from "./model.ts";
import { parseModelsConfig, parseServerManifest, parseSkillFile, type AssetVersionDraft, type Parsed } from "./parse-manifests.ts";
import type { RegistryHistory, TreeSnapshot } from "./registry-state.ts";

/**
 * A file as a reader found it. `id` names the content: two files with the same id have
 * the same text (git's blob id does this), so a parse can be reused.
 */
export type FileRead =
  | { readonly kind: "text"; readonly text: string; readonly id: string }
  | { readonly kind: "missing" }
  | { readonly kind: "too-large"; readonly bytes: number };

/**
 * A registry manifest may also come as its content id alone, when the parse memo already
 * holds its parse (`memo.has(manifestParseKey(…))`): the reader need not fetch the text.
 */
export type ManifestRead = FileRead | { readonly kind: "known"; readonly id: string };

/** One asset folder of a tree: its content id (git's tree id) and its manifest. */
export interface AssetFolderRead {
  readonly kind: AssetKind;
  readonly name: string;
  readonly treeId: string;
  readonly manifest: ManifestRead;
}

/** One registry tree (a ref's, or the working tree's). */
export interface TreeRead {
  /** The ref as the user named it; absent for a working tree. */
  readonly ref?: string | undefined;
  readonly folders: readonly AssetFolderRead[];
  readonly models: FileRead;
  /** Files (not folders) directly under servers/ or skills/, by path: no asset lives there. */
  readonly strayFiles?: readonly string[];
}

/**
 * One tag under `servers/` or `skills/`. For a tag whose name parses
 * (`parseReleaseTag`), `folder` is the asset's folder at the tag, or null when the tag
 * has none; readers leave it null for names that do not parse.
 */
export interface TagRead {
  readonly tag: string;
  readonly folder: { readonly treeId: string; readonly manifest: ManifestRead } | null;
}

/** Everything a reader fetches for a registry change: plain text and ids, no rules. */
export interface RegistryRead {
  /** The registry repo, as its reader names it (problems point into it). */
  readonly repo: string;
  readonly tags: readonly TagRead[];
  readonly base: TreeRead;
  readonly head: TreeRead;
}

/**
 * Parses already done, by manifest content id: published tags never change, and the
 * same manifest text stands at many tags and in both trees. A `Map` serves one run; a
 * reader may pass one that persists between runs.
 */
export interface ParseMemo {
  has(key: string): boolean;
  get(key: string): Parsed<AssetVersionDraft> | undefined;
  set(key: string, value: Parsed<AssetVersionDraft>): void;
}

/** The memo key of a manifest's parse: it depends on the asset's kind, its folder's name and the text. */
export function manifestParseKey(kind: AssetKind, name: string, contentId: string): string {
  return `${kind}/${name}/${contentId}`;
}

/** A reader claimed the memo held a parse it does not: a bug in that reader, not in the registry. */
export class MissingParseError extends Error {
  constructor(key: string) {
    super(`a reader passed manifest ${key} as known, but the parse memo does not hold it`);
    this.name = "MissingParseError";
  }
}

/** The registry history built from what a reader fetched, or the reason it is not a registry. */
export type RegistryHistoryResult =
  | { readonly kind: "ok"; readonly history: RegistryHistory; readonly problems: readonly Problem[]; readonly refused: number }
  | { readonly kind: "not-a-registry"; readonly problem: Problem };

/**
 * Turns fetched registry files into facts: the tagged versions and the base and head trees.
 *
 * 1. A registry without models.yaml, servers/ and skills/ at both refs is not a registry:
 *    that one problem is the whole answer (nothing else would be true).
 * 2. Tags: names that are not `<kind>s/<name>@<exact semver>` warn and are ignored; a tag
 *    without its asset's folder or manifest is an error; a published version's own problems
 *    warn (it is immutable) and leave it out of resolution, and are kept per asset so a
 *    requirement on it can say why; a manifest whose version differs from its tag is an error.
 * 3. Trees: each asset folder's manifest parsed (a missing or broken one makes the asset
 *    unreadable at that ref), and models.yaml.
 */
export function buildRegistryHistory(read: RegistryRead, memo: ParseMemo = new Map()): RegistryHistoryResult {
  const root: SourceLocation = { repo: read.repo, path: "." };
  if (isEmptyTree(read.base) && isEmptyTree(read.head)) {
    const refs = [...new Set([read.base.ref ?? "the working tree", read.head.ref ?? "the working tree"])].join(" or ");
    return {
      kind: "not-a-registry",
      problem: problemAt(root, 1, "error", "not-a-registry",
        `is not the root of a registry: it holds no ${MODELS_FILE}, servers/ or skills/ at ${refs}. Use the folder that holds ${MODELS_FILE}, servers/ and skills/`),
    };
  }
  const tags = buildTagVersions(read.repo, read.tags, memo);
  const head = buildTreeSnapshot(read.repo, read.head, "head", memo);
  // One tree read as both (validate, catalog) is built and counted once.
  const base = read.base === read.head ? null : buildTreeSnapshot(read.repo, read.base, "base", memo);
  return {
    kind: "ok",
    history: { tags: tags.versions, leftOut: tags.leftOut, base: (base ?? head).snapshot, head: head.snapshot },
    problems: [...tags.problems, ...(base?.problems ?? []), ...head.problems],
    refused: tags.refused + (base?.refused ?? 0) + head.refused,
  };
}

function isEmptyTree(tree: TreeRead): boolean {
  return tree.folders.length === 0 && tree.models.kind === "missing";
}

interface TagVersions {
  versions: Map<AssetId, AssetVersion[]>;
  leftOut: Map<AssetId, Problem[]>;
  problems: Problem[];
  refused: number;
}

function buildTagVersions(repo: string, tags: readonly TagRead[], memo: ParseMemo): TagVersions {
  const out: TagVersions = { versions: new Map(), leftOut: new Map(), problems: [], refused: 0 };
  for (const { tag, folder } of tags) {
    const release = parseReleaseTag(tag);
    if (!release) {
      // A tag is no file: it is shown by its ref's name.
      out.problems.push(problemAt({ repo, path: `refs/tags/${tag}` }, 1, "warning", "bad-tag",
        `tag \`${tag}\` is not \`servers/<name>@<version>\` or \`skills/<name>@<version>\` with an exact semver version; it is ignored`));
      continue;
    }
    const { kind, name, version } = release;
    const source: SourceLocation = { repo, path: manifestPath(kind, name), ref: tag };
    if (!folder || folder.manifest.kind === "missing") {
      out.refused++;
      out.problems.push(problemAt(source, 1, "error", "bad-tag",
        `tag \`${tag}\` has no ${manifestPath(kind, name)}; delete the tag or point it at a commit that has the ${kind}`));
      continue;
    }
    const parsed = parseAssetFile(kind, name, folder.manifest, source, memo);
    // A published version is immutable: its problems cannot be fixed in a PR, so they warn
    // (and say the version is left out) instead of failing every report from now on.
    const warnings = parsed.problems.map((problem) => ({
      ...problem,
      level: "warning" as const,
      message: parsed.value ? problem.message : `${problem.message} (published version ${tag} is left out of resolution)`,
    }));
    out.problems.push(...warnings);
    const id = assetId(kind, name);
    if (!parsed.value) {
      out.refused++;
      // Kept as found, for the message of a requirement that finds no usable version.
      out.leftOut.set(id, [...(out.leftOut.get(id) ?? []), ...parsed.problems]);
      continue;
    }
    if (parsed.value.version !== version) {
      // Like any problem of a published version: it warns and the version is left out, and moving the tag fixes it.
      const problem = problemAt(source, parsed.value.versionLine, "warning", "tag-mismatch",
        `tag \`${tag}\` holds version ${parsed.value.version}; the tag and the version must agree, so re-tag the right commit`);
      out.refused++;
      out.problems.push({ ...problem, message: `${problem.message} (published version ${tag} is left out of resolution)` });
      out.leftOut.set(id, [...(out.leftOut.get(id) ?? []), problem]);
      continue;
    }
    const list = out.versions.get(id) ?? [];
    list.push({ ...parsed.value, contentHash: folder.treeId, origin: "tag" });
    out.versions.set(id, list);
  }
  return out;
}

function buildTreeSnapshot(repo: string, tree: TreeRead, origin: "base" | "head", memo: ParseMemo): { snapshot: TreeSnapshot; problems: Problem[]; refused: number } {
  const problems: Problem[] = [];
  const assets = new Map<AssetId, AssetVersion>();
  const unreadable = new Set<AssetId>();
  const ref = tree.ref === undefined ? {} : { ref: tree.ref };
  let refused = 0;
  for (const folder of tree.folders) {
    const id = assetId(folder.kind, folder.name);
    const where: SourceLocation = { repo, path: assetFolder(folder.kind, folder.name), ...ref };
    if (!kebabName.safeParse(folder.name).success) {
      // The folder's name is the asset's name, and names are how everything refers to it.
      unreadable.add(id);
      refused++;
      problems.push(problemAt(where, 1, "error", "bad-folder-name",
        `is not a valid ${folder.kind} name: use lowercase letters, digits and single hyphens, like \`tone-guide\`; rename the folder (and the ${folder.kind}'s \`name\`)`));
      continue;
    }
    if (folder.manifest.kind === "missing") {
      unreadable.add(id);
      refused++;
      problems.push(problemAt(where, 1, "error", "missing-manifest", `${where.path}/ has no ${MANIFEST_FILE[folder.kind]}; add one or remove the folder`));
      continue;
    }
    const parsed = parseAssetFile(folder.kind, folder.name, folder.manifest, { repo, path: manifestPath(folder.kind, folder.name), ...ref }, memo);
    problems.push(...parsed.problems);
    if (parsed.value) {
      assets.set(id, { ...parsed.value, contentHash: folder.treeId, origin });
    } else {
      unreadable.add(id);
      refused++;
    }
  }
  for (const stray of tree.strayFiles ?? []) {
    if (/^(servers|skills)\/(README(\.[a-z]+)?|\.gitkeep)$/i.test(stray)) continue;
    refused++;
    problems.push(problemAt({ repo, path: stray, ...ref }, 1, "warning", "stray-file",
      `is a file, so no asset is read from it: each one lives in its own folder, as \`${stray.split("/")[0]}/<name>/${MANIFEST_FILE[stray.startsWith("servers/") ? "server" : "skill"]}\`. Move it into a folder or remove it`));
  }
  const modelsSource: SourceLocation = { repo, path: MODELS_FILE, ...ref };
  let models: TreeSnapshot["models"] = null;
  if (tree.models.kind === "missing") {
    problems.push(problemAt(modelsSource, 1, "error", "missing-file", `the registry has no ${MODELS_FILE}; add one with at least \`default: <model id>\``));
  } else if (tree.models.kind === "too-large") {
    refused++;
    problems.push(tooLarge(modelsSource, tree.models.bytes, "a models.yaml"));
  } else {
    const parsed = parseModelsConfig({ ...modelsSource, text: tree.models.text });
    problems.push(...parsed.problems);
    models = parsed.value;
    if (!models) refused++;
  }
  return { snapshot: { assets, models, modelsSource, unreadable }, problems, refused };
}

/** Parses an asset's manifest once per content id, and places the result at `source`. */
function parseAssetFile(kind: AssetKind, name: string, file: Exclude<ManifestRead, { kind: "missing" }>, source: SourceLocation, memo: ParseMemo): Parsed<AssetVersionDraft> {
  const what = `a ${MANIFEST_FILE[kind]}`;
  if (file.kind === "too-large") return { value: null, problems: [tooLarge(source, file.bytes, what)] };
  const key = manifestParseKey(kind, name, file.id);
  const known = memo.get(key);
  if (known) return relocate(known, source);
  if (file.kind === "known") throw new MissingParseError(key);
  const parsed: Parsed<AssetVersionDraft> = sizeOf(file.text) > MAX_FILE_BYTES
    ? { value: null, problems: [tooLarge(source, sizeOf(file.text), what)] }
    : kind === "server"
      ? parseServerManifest({ ...source, text: file.text }, name)
      : parseSkillFile({ ...source, text: file.text }, name);
  // Placed at a bare location: the parse keeps no file text, and can be reused anywhere.
  const placed = relocate(parsed, source);
  memo.set(key, placed);
  return placed;
}


/** A parse of the same text, placed at another location (another tag, repo or tree). */
function relocate(parsed: Parsed<AssetVersionDraft>, at: SourceLocation): Parsed<AssetVersionDraft> {
  const source: SourceLocation = { repo: at.repo, path: at.path, ...(at.ref === undefined ? {} : { ref: at.ref }) };
  const problems = parsed.problems.map((problem) => relocateProblem(problem, source));
  if (!parsed.value) return { value: null, problems };
  const value = parsed.value;
  return {
    value: { ...value, source, requires: value.requires.map((requirement) => ({ ...requirement, source })) },
    problems,
  };
}
