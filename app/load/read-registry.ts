import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import semver from "semver";
import type { GateConfig } from "../../schemas/gate-config.schema.ts";
import { assetId, type AssetId, type AssetKind, type AssetVersion } from "../core/registry/model.ts";
import { parseGateConfig, parseModelsConfig, parseServerManifest, parseSkillFile, type AssetVersionDraft, type Parsed } from "../core/registry/parse-manifests.ts";
import { MAX_FILE_BYTES } from "../core/files/parse-yaml.ts";
import { problemAt, type Problem, type SourceFile } from "../core/problems.ts";
import type { RegistryHistory, TreeSnapshot } from "../core/registry/registry-state.ts";
import { checkObjects, git, GitError, readObjects } from "./git.ts";

/** The working tree, as a head "ref". */
export const WORKTREE = "WORKTREE";

/** A ref the user named does not exist in the registry repo. */
export class UnknownRefError extends Error {
  readonly ref: string;
  constructor(ref: string, dir: string) {
    super(`\`${ref}\` is not a commit in ${dir}; fetch it (\`git fetch origin ${ref}\`) or name another branch, tag or commit`);
    this.name = "UnknownRefError";
    this.ref = ref;
  }
}

/** The registry folder is not in a git repository. */
export class NotARepositoryError extends Error {
  constructor(dir: string, options?: { cause?: unknown }) {
    super(`${dir} is not inside a git repository; blastgate reads published versions from the registry's tags, so point --registry at a clone of the registry`, options);
    this.name = "NotARepositoryError";
  }
}

const manifestName: Record<AssetKind, string> = { server: "server.yaml", skill: "SKILL.md" };
const tagPattern = /^(servers|skills)\/([a-z0-9]+(?:-[a-z0-9]+)*)@(.+)$/;

/** Where a registry is and how to name its files for the user. */
interface Registry {
  readonly dir: string;
  /** Path of the registry folder inside its git repository (`""` at the root, else ending in `/`). */
  readonly prefix: string;
  /** How files are shown to the user: relative to the current directory. */
  readonly display: (repoPath: string) => string;
}

async function openRegistry(dir: string, cwd: string): Promise<Registry> {
  let prefix: string;
  try {
    prefix = (await git(dir, ["rev-parse", "--show-prefix"])).trim();
  } catch (error) {
    throw new NotARepositoryError(dir, { cause: error });
  }
  return { dir, prefix, display: (repoPath) => path.relative(cwd, path.join(dir, repoPath)) || repoPath };
}

/** Resolves a ref to a commit id. Refs are data: one that git could read as an option or that spans lines is refused. */
async function verifyRef(registry: Registry, ref: string): Promise<string> {
  if (ref.startsWith("-") || /[\u0000-\u001f\u007f]/.test(ref)) throw new UnknownRefError(ref, registry.dir);
  try {
    return (await git(registry.dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim();
  } catch (error) {
    if (error instanceof GitError) throw new UnknownRefError(ref, registry.dir);
    throw error;
  }
}

/**
 * Reads the registry's history: every tagged version, and the trees at `base` and
 * `head` (`WORKTREE` for the working tree, including uncommitted and untracked files).
 * Also reads the gate policy from `base` (never from head).
 */
export async function readRegistryHistory(
  dir: string,
  refs: { base: string; head: string },
  cwd = process.cwd(),
): Promise<{ history: RegistryHistory; gateConfig: Parsed<GateConfig>; problems: Problem[] }> {
  const registry = await openRegistry(dir, cwd);
  // Refs are resolved to commit ids first; everything after reads by id.
  const [baseCommit, headCommit] = await Promise.all([
    verifyRef(registry, refs.base),
    refs.head === WORKTREE ? null : verifyRef(registry, refs.head),
  ]);
  const [tags, base, head, gateConfig] = await Promise.all([
    readTags(registry),
    readTree(registry, baseCommit, "base", refs.base),
    headCommit === null ? readWorktree(registry) : readTree(registry, headCommit, "head", refs.head),
    readGateConfig(registry, { commit: baseCommit, name: refs.base }),
  ]);
  return {
    history: { tags: tags.versions, base: base.snapshot, head: head.snapshot },
    gateConfig,
    problems: [...tags.problems, ...base.problems, ...head.problems, ...gateConfig.problems],
  };
}

/** Reads the tags and one tree (`WORKTREE` or a ref) for validation. */
export async function readRegistryAt(
  dir: string,
  ref: string,
  cwd = process.cwd(),
): Promise<{ tags: RegistryHistory["tags"]; tree: TreeSnapshot; gateConfig: Parsed<GateConfig>; problems: Problem[] }> {
  const registry = await openRegistry(dir, cwd);
  const commit = ref === WORKTREE ? null : await verifyRef(registry, ref);
  const [tags, tree, gateConfig] = await Promise.all([
    readTags(registry),
    commit === null ? readWorktree(registry) : readTree(registry, commit, "head", ref),
    readGateConfig(registry, commit === null ? null : { commit, name: ref }),
  ]);
  return { tags: tags.versions, tree: tree.snapshot, gateConfig, problems: [...tags.problems, ...tree.problems, ...gateConfig.problems] };
}

/** Reads `.github/blastgate.yml` at a commit (`name` is how the user named it), or from the working tree when null. */
async function readGateConfig(registry: Registry, at: { commit: string; name: string } | null): Promise<Parsed<GateConfig>> {
  const repoPath = ".github/blastgate.yml";
  const source: SourceFile = { file: registry.display(repoPath), ...(at === null ? {} : { ref: at.name }) };
  let text: string | null;
  if (at === null) {
    const file = path.join(registry.dir, repoPath);
    const size = await stat(file).then((info) => info.size, () => null);
    if (size !== null && size > MAX_FILE_BYTES) {
      return { value: null, problems: [problemAt(source, 1, "error", "schema", `is larger than ${MAX_FILE_BYTES / 1024} KiB; a blastgate.yml should be a small YAML file`)] };
    }
    text = size === null ? null : await readFile(file, "utf8");
  } else {
    const [object] = await readObjects(registry.dir, [`${at.commit}:${registry.prefix}${repoPath}`]);
    text = object ? object.content.toString("utf8") : null;
  }
  // No policy file means the defaults; that is a valid setup, not a problem.
  if (text === null) return { value: null, problems: [] };
  return parseGateConfig({ ...source, text });
}

async function readTags(registry: Registry): Promise<{ versions: Map<AssetId, AssetVersion[]>; problems: Problem[] }> {
  const refs = (await git(registry.dir, ["for-each-ref", "--format=%(refname:strip=2)", "refs/tags/servers/", "refs/tags/skills/"]))
    .split("\n")
    .filter(Boolean);
  const problems: Problem[] = [];
  const wanted: { tag: string; kind: AssetKind; name: string; version: string }[] = [];
  for (const tag of refs) {
    const match = tagPattern.exec(tag);
    if (!match || semver.valid(match[3]!) !== match[3]) {
      problems.push(problemAt({ file: registry.display("."), ref: tag }, 1, "warning", "bad-tag", `tag \`${tag}\` is not \`servers/<name>@<version>\` or \`skills/<name>@<version>\` with an exact semver version; it is ignored`));
      continue;
    }
    wanted.push({ tag, kind: match[1] === "servers" ? "server" : "skill", name: match[2]!, version: match[3]! });
  }
  const folder = (item: (typeof wanted)[number]) => `${registry.prefix}${item.kind}s/${item.name}`;
  const [trees, manifests] = await Promise.all([
    checkObjects(registry.dir, wanted.map((item) => `refs/tags/${item.tag}:${folder(item)}`)),
    readObjects(registry.dir, wanted.map((item) => `refs/tags/${item.tag}:${folder(item)}/${manifestName[item.kind]}`)),
  ]);
  const versions = new Map<AssetId, AssetVersion[]>();
  wanted.forEach((item, index) => {
    const tree = trees[index];
    const manifest = manifests[index];
    const source: SourceFile = { file: registry.display(`${item.kind}s/${item.name}/${manifestName[item.kind]}`), ref: item.tag };
    if (!tree || !manifest) {
      problems.push(problemAt(source, 1, "error", "bad-tag", `tag \`${item.tag}\` has no ${item.kind}s/${item.name}/${manifestName[item.kind]}; delete the tag or point it at a commit that has the ${item.kind}`));
      return;
    }
    const parsed = parseAsset(item.kind, { ...source, text: manifest.content.toString("utf8") }, item.name);
    // A published version is immutable: its problems cannot be fixed in a PR, so they warn
    // (and say the version is left out) instead of failing every report from now on.
    problems.push(
      ...parsed.problems.map((problem) => ({
        ...problem,
        level: "warning" as const,
        message: parsed.value ? problem.message : `${problem.message} (published version ${item.tag} is left out of resolution)`,
      })),
    );
    if (!parsed.value) return;
    if (parsed.value.version !== item.version) {
      problems.push(problemAt(source, parsed.value.versionLine, "error", "tag-mismatch", `tag \`${item.tag}\` holds version ${parsed.value.version}; the tag and the version must agree, so re-tag the right commit`));
      return;
    }
    const list = versions.get(parsed.value.id) ?? [];
    list.push({ ...parsed.value, contentHash: tree.oid, origin: "tag" });
    versions.set(parsed.value.id, list);
  });
  return { versions, problems };
}

function parseAsset(kind: AssetKind, file: { file: string; ref?: string | undefined; text: string }, folder: string): Parsed<AssetVersionDraft> {
  return kind === "server" ? parseServerManifest(file, folder) : parseSkillFile(file, folder);
}

/** Reads the assets and models.yaml of one tree-ish. */
async function readTree(registry: Registry, treeish: string, origin: "base" | "head", refName: string | undefined): Promise<{ snapshot: TreeSnapshot; problems: Problem[] }> {
  const listing = await git(registry.dir, ["ls-tree", "-z", treeish, "--", `${registry.prefix}servers/`, `${registry.prefix}skills/`]);
  const folders = listing
    .split("\0")
    .filter(Boolean)
    .flatMap((line) => {
      const [meta, repoPath] = line.split("\t") as [string, string];
      const [, type, oid] = meta.split(" ");
      const relative = repoPath.slice(registry.prefix.length);
      const [top, name] = relative.split("/");
      if (type !== "tree" || !name) return [];
      return [{ kind: (top === "servers" ? "server" : "skill") as AssetKind, name, oid: oid! }];
    });
  const names = folders.map((folder) => `${treeish}:${registry.prefix}${folder.kind}s/${folder.name}/${manifestName[folder.kind]}`);
  const [manifests, [models]] = await Promise.all([
    readObjects(registry.dir, names),
    readObjects(registry.dir, [`${treeish}:${registry.prefix}models.yaml`]),
  ]);
  const problems: Problem[] = [];
  const assets = new Map<AssetId, AssetVersion>();
  const unreadable = new Set<AssetId>();
  const ref = refName === undefined ? {} : { ref: refName };
  folders.forEach((folder, index) => {
    const manifestPath = `${folder.kind}s/${folder.name}/${manifestName[folder.kind]}`;
    const source = { file: registry.display(manifestPath), ...ref };
    const manifest = manifests[index];
    if (!manifest) {
      unreadable.add(assetId(folder.kind, folder.name));
      problems.push(problemAt({ file: registry.display(`${folder.kind}s/${folder.name}`), ...ref }, 1, "error", "missing-manifest", `${folder.kind}s/${folder.name}/ has no ${manifestName[folder.kind]}; add one or remove the folder`));
      return;
    }
    const parsed = parseAsset(folder.kind, { ...source, text: manifest.content.toString("utf8") }, folder.name);
    problems.push(...parsed.problems);
    if (parsed.value) assets.set(parsed.value.id, { ...parsed.value, contentHash: folder.oid, origin });
    else unreadable.add(assetId(folder.kind, folder.name));
  });
  const modelsSource: SourceFile = { file: registry.display("models.yaml"), ...ref };
  let modelsConfig: TreeSnapshot["models"] = null;
  if (!models) {
    problems.push(problemAt(modelsSource, 1, "error", "missing-file", "the registry has no models.yaml; add one with at least `default: <model id>`"));
  } else {
    const parsed = parseModelsConfig({ ...modelsSource, text: models.content.toString("utf8") });
    problems.push(...parsed.problems);
    modelsConfig = parsed.value;
  }
  return { snapshot: { assets, models: modelsConfig, modelsSource, unreadable }, problems };
}

/**
 * Reads the working tree as a tree: stages it into a throwaway index and writes a tree
 * object, as `git stash` does. The user's index and branches are untouched.
 *
 * The throwaway index starts from HEAD's tree with no stat data, so git hashes every file
 * instead of trusting size and mtime: a copy of the real index would lose git's "racy
 * git" protection and miss a same-size edit made in the second of the last commit.
 */
async function readWorktree(registry: Registry): Promise<{ snapshot: TreeSnapshot; problems: Problem[] }> {
  const scratch = await mkdtemp(path.join(tmpdir(), "blastgate-index-"));
  try {
    const env = { GIT_INDEX_FILE: path.join(scratch, "index") };
    // A repository without commits has no HEAD: start from an empty index.
    await git(registry.dir, ["read-tree", "HEAD"], env).catch(() => git(registry.dir, ["read-tree", "--empty"], env));
    await git(registry.dir, ["add", "--all", "--", "."], env);
    const tree = (await git(registry.dir, ["write-tree"], env)).trim();
    return await readTree(registry, tree, "head", undefined);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
