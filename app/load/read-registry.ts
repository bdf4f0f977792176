import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { MAX_FILE_BYTES } from "../core/files/parse-yaml.ts";
import { manifestParseKey, type AssetFolderRead, type FileRead, type ManifestRead, type RegistryRead, type TagRead, type TreeRead } from "../core/registry/build-registry-history.ts";
import { assetFolder, GATE_POLICY_FILE, kindOfFolder, MANIFEST_FILE, manifestPath, MODELS_FILE, parseReleaseTag, RELEASE_TAG_PREFIXES } from "../core/registry/layout.ts";
import type { AssetKind } from "../core/registry/model.ts";
import { isSystemError } from "./file-access-error.ts";
import { checkObjects, git, GitError, readObjects } from "./git.ts";

/** The working tree, as a head "ref". */
export const WORKTREE = "WORKTREE";

/** A ref the user named does not exist in the registry repo (`dir`, absolute). */
export class UnknownRefError extends Error {
  readonly ref: string;
  readonly dir: string;
  constructor(ref: string, dir: string) {
    super("");
    this.name = "UnknownRefError";
    this.ref = ref;
    this.dir = dir;
    this.message = this.describe(dir);
  }

  /** The message, naming the registry folder as `shownDir`. */
  describe(shownDir: string): string {
    return `\`${this.ref}\` is not a commit in the registry repository (${shownDir}); fetch it (\`git fetch origin ${this.ref}\`) or name another branch, tag or commit`;
  }
}

/**
 * The `--registry` folder (`dir`, absolute) cannot be read as a git repository: it does not
 * exist (`missing`), is a file (`not-a-folder`), or is not inside a git repository.
 */
export class NotARepositoryError extends Error {
  readonly dir: string;
  readonly reason: "missing" | "not-a-folder" | "not-a-repository" | "control-character";
  constructor(dir: string, reason: NotARepositoryError["reason"], options?: { cause?: unknown }) {
    super("", options);
    this.name = "NotARepositoryError";
    this.dir = dir;
    this.reason = reason;
    this.message = this.describe(dir);
  }

  /** The message, naming the folder as `shownDir`. */
  describe(shownDir: string): string {
    if (this.reason === "missing") return `--registry ${shownDir} does not exist; point --registry at a clone of the registry`;
    if (this.reason === "not-a-folder") return `--registry ${shownDir} is a file, not a folder; point --registry at a clone of the registry`;
    if (this.reason === "control-character") return `--registry ${shownDir} lies at a path inside its repository that holds a line break or another control character; move the registry to a plain path`;
    return `--registry ${shownDir} is not inside a git repository; blastgate reads published versions from the registry's tags, so point --registry at a clone of the registry`;
  }
}

/** Whether the parse memo already holds a manifest's parse (its key from `manifestParseKey`): then its text is not fetched. */
export type KnownParse = (key: string) => boolean;

/** What `git cat-file --batch-check` says of an object name. */
export interface ObjectInfo {
  readonly oid: string;
  readonly type: string;
  readonly size: number;
}

/**
 * Answers of `cat-file --batch-check` kept between runs. Every name the reader asks about
 * starts with an object id (a tag's, a commit's or a tree's: `<id>:<path>`), and objects
 * never change, so a name always gets the same answer. Release tags are named by the
 * object their ref points at, so a tag deleted and made again elsewhere is a new name.
 * Only found objects are kept: "missing" may mean an object not fetched yet.
 */
export interface ObjectMemo {
  get(name: string): ObjectInfo | undefined;
  set(name: string, info: ObjectInfo): void;
}

/**
 * The text of small blobs by blob id, kept between runs: models.yaml and the gate policy,
 * which are parsed on every run, so that a run that knows every manifest starts no
 * `cat-file --batch` either. A blob id names its content, so the text never goes stale.
 */
export interface TextMemo {
  get(oid: string): string | undefined;
  set(oid: string, text: string): void;
}

/** Blobs no larger than this are kept in a {@link TextMemo}. */
export const MAX_KEPT_TEXT_BYTES = 64 * 1024;

/** Where the reader looks things up before asking git: which parses are known, what names point at, and small blobs' text. */
export interface ReadMemo {
  readonly known?: KnownParse;
  readonly objects?: ObjectMemo;
  readonly texts?: TextMemo;
}

/** A release tag as `for-each-ref` lists it: its name, and the id of the object its ref points at. */
interface ListedTag {
  readonly tag: string;
  readonly oid: string;
}

/** A registry clone on disk: its folder (the repo id its problems carry) and its place in the git repository. */
interface Registry {
  readonly dir: string;
  /** Path of the registry folder inside its git repository (`""` at the root, else ending in `/`). */
  readonly prefix: string;
}

/** A tree-ish to read, and the ref to name in problems (none for the working tree). */
interface TreeAt {
  readonly treeish: string;
  readonly ref: string | undefined;
}

/**
 * Reads what a registry change needs from a git clone: every release tag's folder and
 * manifest, the base and head trees (`WORKTREE` for the working tree, uncommitted and
 * untracked files included), and the gate policy from base (never from head).
 * Only text and ids: the rules that turn them into facts are the core's.
 *
 * 1. Resolve the refs to commits (refs are data, never options).
 * 2. List tags (with the object each points at) and tree folders; ask one
 *    `cat-file --batch-check` for every tag's folder and every manifest's blob id and size
 *    that the memo does not hold (it keeps those answers: each name starts with an object id).
 * 3. Read each distinct blob under the size cap once, through one `cat-file --batch`.
 */
export async function readRegistryChange(dir: string, refs: { base: string; head: string }, memo: ReadMemo = {}): Promise<{ read: RegistryRead; policy: FileRead }> {
  const { registry, commits } = await openRegistryAt(dir, refs.head === WORKTREE ? [refs.base] : [refs.base, refs.head]);
  const [baseCommit, headCommit = null] = commits as [string, string?];
  const [tags, headTree] = await Promise.all([listReleaseTags(registry), headCommit === null ? writeWorktree(registry) : headCommit]);
  const base: TreeAt = { treeish: baseCommit, ref: refs.base };
  const head: TreeAt = { treeish: headTree, ref: headCommit === null ? undefined : refs.head };
  const files = await readFiles(registry, tags, [base, head], base, memo);
  return { read: { repo: dir, tags: files.tags, base: files.trees[0]!, head: files.trees[1]! }, policy: files.policy };
}

/** Reads the tags, one tree (`WORKTREE` or a ref) and that tree's gate policy, for `validate` and `catalog`. */
export async function readRegistryAt(dir: string, ref: string, memo: ReadMemo = {}): Promise<{ read: Omit<RegistryRead, "base" | "head"> & { tree: TreeRead }; policy: FileRead }> {
  const { registry, commits } = await openRegistryAt(dir, ref === WORKTREE ? [] : [ref]);
  const [commit, tags] = await Promise.all([commits[0] ?? writeWorktree(registry), listReleaseTags(registry)]);
  const at: TreeAt = { treeish: commit, ref: ref === WORKTREE ? undefined : ref };
  const files = await readFiles(registry, tags, [at], at, memo);
  return { read: { repo: dir, tags: files.tags, tree: files.trees[0]! }, policy: files.policy };
}

/** A full object id, as git prints one (SHA-1 or SHA-256). */
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Opens the registry and resolves `refs` to commit ids. Usually one `git rev-parse` does
 * both; when it fails or says anything unexpected, one call per question finds out which
 * and words it (`openRegistry`, `verifyRef`), so the quick path never decides an error.
 */
async function openRegistryAt(dir: string, refs: readonly string[]): Promise<{ registry: Registry; commits: string[] }> {
  if (refs.every(isPlainRef)) {
    // `--` after the revisions: none of them is read as a path.
    const output = await git(dir, ["rev-parse", "--show-prefix", ...refs.map((ref) => `${ref}^{commit}`), "--"]).catch(() => null);
    const lines = output?.split("\n");
    // The prefix, one id per ref (a range or another form that prints more or other lines fails this), `--`, and the final newline.
    if (lines?.length === refs.length + 3 && lines.at(-2) === "--" && lines.at(-1) === "") {
      const prefix = lines[0]!;
      const commits = lines.slice(1, -2);
      if (commits.every((id) => OBJECT_ID.test(id)) && !hasControlCharacter(prefix)) return { registry: { dir, prefix }, commits };
    }
  }
  const registry = await openRegistry(dir);
  return { registry, commits: await Promise.all(refs.map((ref) => verifyRef(registry, ref))) };
}

/** A ref git could not read as an option, on one line. */
function isPlainRef(ref: string): boolean {
  return !ref.startsWith("-") && !hasControlCharacter(ref);
}

function hasControlCharacter(text: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(text);
}

async function openRegistry(dir: string): Promise<Registry> {
  let prefix: string;
  try {
    prefix = (await git(dir, ["rev-parse", "--show-prefix"])).replace(/\n$/, "");
  } catch (error) {
    const found = await stat(dir).catch(() => null);
    if (found === null) throw new NotARepositoryError(dir, "missing", { cause: error });
    if (!found.isDirectory()) throw new NotARepositoryError(dir, "not-a-folder", { cause: error });
    // The folder is there, so git itself could not be run: say that, not "not a repository".
    if (error instanceof GitError && isSystemError(error.cause) && error.cause.code === "ENOENT") throw error;
    throw new NotARepositoryError(dir, "not-a-repository", { cause: error });
  }
  // `cat-file --batch` takes one name per line: a path with a line break would shift every answer after it.
  if (hasControlCharacter(prefix)) throw new NotARepositoryError(dir, "control-character");
  return { dir, prefix };
}

/** Resolves a ref to a commit id. Refs are data: one that git could read as an option or that spans lines is refused. */
async function verifyRef(registry: Registry, ref: string): Promise<string> {
  if (!isPlainRef(ref)) throw new UnknownRefError(ref, registry.dir);
  try {
    return (await git(registry.dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim();
  } catch (error) {
    if (error instanceof GitError) throw new UnknownRefError(ref, registry.dir);
    throw error;
  }
}

async function listReleaseTags(registry: Registry): Promise<ListedTag[]> {
  const output = await git(registry.dir, ["for-each-ref", "--format=%(objectname) %(refname:strip=2)", ...RELEASE_TAG_PREFIXES.map((prefix) => `refs/tags/${prefix}`)]);
  // A ref name holds no space (git refuses one), so the first space ends the id.
  return output
    .split("\n")
    .filter(Boolean)
    .map((line) => ({ oid: line.slice(0, line.indexOf(" ")), tag: line.slice(line.indexOf(" ") + 1) }));
}

/**
 * Reads the working tree as a tree: stages it into a throwaway index and writes a tree
 * object, as `git stash` does. The user's index and branches are untouched.
 *
 * The throwaway index starts from HEAD's tree with no stat data, so git hashes every file
 * instead of trusting size and mtime: a copy of the real index would lose git's "racy
 * git" protection and miss a same-size edit made in the second of the last commit.
 */
async function writeWorktree(registry: Registry): Promise<string> {
  const scratch = await mkdtemp(path.join(tmpdir(), "blastgate-index-"));
  try {
    const env = { GIT_INDEX_FILE: path.join(scratch, "index") };
    // A repository without commits has no HEAD: start from an empty index.
    await git(registry.dir, ["read-tree", "HEAD"], env).catch(() => git(registry.dir, ["read-tree", "--empty"], env));
    await git(registry.dir, ["add", "--all", "--", "."], env);
    return (await git(registry.dir, ["write-tree"], env)).trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The registry files read from the root of a tree, found by listing it rather than through the batch. */
const ROOT_FILES = [MODELS_FILE, GATE_POLICY_FILE];

/**
 * The folders under servers/ and skills/ of a tree-ish, the files that stand there instead
 * of folders, and the root files (models.yaml, the gate policy) with their ids and sizes.
 */
async function listFolders(
  registry: Registry,
  at: TreeAt,
): Promise<{ folders: { kind: AssetKind; name: string; treeId: string }[]; strayFiles: string[]; rootFiles: Map<string, ObjectInfo> }> {
  const paths = ["servers/", "skills/", ...ROOT_FILES].map((file) => `${registry.prefix}${file}`);
  const listing = await git(registry.dir, ["ls-tree", "-z", "-l", "--full-tree", at.treeish, "--", ...paths]);
  const folders: { kind: AssetKind; name: string; treeId: string }[] = [];
  const strayFiles: string[] = [];
  const rootFiles = new Map<string, ObjectInfo>();
  for (const line of listing.split("\0").filter(Boolean)) {
    const tab = line.indexOf("\t");
    // `<mode> <type> <id> <size>`, the size padded with spaces (`-` for a tree).
    const [, type, oid, size] = line.slice(0, tab).split(/ +/);
    const relative = line.slice(tab + 1).slice(registry.prefix.length);
    if (ROOT_FILES.includes(relative)) {
      rootFiles.set(relative, { oid: oid!, type: type!, size: Number(size) });
      continue;
    }
    const [top, name] = relative.split("/");
    const kind = kindOfFolder(top!);
    if (!kind || !name) continue;
    if (type === "tree") folders.push({ kind, name, treeId: oid! });
    else strayFiles.push(relative);
  }
  return { folders, strayFiles, rootFiles };
}

/** How `cat-file` names a registry path at a tree-ish (an object id): `<tree-ish>:<prefix><path>`. */
function rootOf(registry: Registry, treeish: string): string {
  return `${treeish}:${registry.prefix}`;
}

async function readFiles(
  registry: Registry,
  listedTags: readonly ListedTag[],
  trees: readonly TreeAt[],
  policyAt: TreeAt,
  memo: ReadMemo,
): Promise<{ tags: TagRead[]; trees: TreeRead[]; policy: FileRead }> {
  const known = memo.known ?? (() => false);
  const listed = await Promise.all(trees.map((at) => listFolders(registry, at)));
  const listings = listed.map((entry) => entry.folders);
  const releases = listedTags.map(({ tag, oid }) => ({ tag, oid, release: parseReleaseTag(tag) }));

  // One batch-check for every name whose id and size we need (and the memo does not hold).
  // Each name starts with an object id, never a ref, so its answer can be remembered.
  const names: string[] = [];
  const ask = (name: string) => names.push(name) - 1;
  const tagSlots = releases.map(({ oid, release }) => {
    if (!release) return null;
    const root = rootOf(registry, oid);
    return { folder: ask(`${root}${assetFolder(release.kind, release.name)}`), manifest: ask(`${root}${manifestPath(release.kind, release.name)}`) };
  });
  const treeSlots = trees.map((_, index) => ({
    // By the folder's tree id, so no name from the tree (which may hold any character, a line break too) goes into the batch.
    folders: listings[index]!.map((folder) => ask(`${folder.treeId}:${MANIFEST_FILE[folder.kind]}`)),
  }));
  const found = await checkObjectsWith(registry.dir, names, memo.objects);
  // The root files come from the listing, in slots after the batch's.
  const place = (info: ObjectInfo | undefined) => found.push(info ?? null) - 1;
  const modelsSlots = listed.map((entry) => place(entry.rootFiles.get(MODELS_FILE)));
  const policySlot = place(listed[trees.indexOf(policyAt)]!.rootFiles.get(GATE_POLICY_FILE));

  // Manifests whose parse the memo holds are not read at all.
  const assetOf = new Map<number, { kind: AssetKind; name: string }>();
  releases.forEach(({ release }, index) => release && assetOf.set(tagSlots[index]!.manifest, release));
  trees.forEach((_, index) => listings[index]!.forEach((folder, slot) => assetOf.set(treeSlots[index]!.folders[slot]!, folder)));
  const isKnown = (slot: number) => {
    const asset = assetOf.get(slot);
    const object = found[slot];
    return asset !== undefined && object?.type === "blob" && known(manifestParseKey(asset.kind, asset.name, object.oid));
  };
  // Each other distinct blob under the cap is read once, however many tags and trees share it.
  const rootIds = new Set([...modelsSlots, policySlot].flatMap((slot) => (found[slot] ? [found[slot].oid] : [])));
  const blobs = new Map<string, string>();
  const needed = new Set(found.flatMap((object, slot) => (object?.type === "blob" && object.size <= MAX_FILE_BYTES && !isKnown(slot) ? [object.oid] : [])));
  for (const oid of needed) {
    const text = memo.texts?.get(oid);
    if (text !== undefined) blobs.set(oid, text);
  }
  const wanted = [...needed].filter((oid) => !blobs.has(oid));
  (await readObjects(registry.dir, wanted)).forEach((object, index) => {
    if (!object) return;
    const text = object.content.toString("utf8");
    blobs.set(wanted[index]!, text);
    // Manifests are kept as parses; what is left to read on a warm run is the root files.
    if (object.content.length <= MAX_KEPT_TEXT_BYTES && rootIds.has(wanted[index]!)) memo.texts?.set(wanted[index]!, text);
  });
  const file = (slot: number): FileRead => {
    const object = found[slot];
    if (!object || object.type !== "blob") return { kind: "missing" };
    if (object.size > MAX_FILE_BYTES) return { kind: "too-large", bytes: object.size };
    // A blob git cannot give (a partial clone offline) reads as missing, as a cold run's batch-check would say.
    const text = blobs.get(object.oid);
    return text === undefined ? { kind: "missing" } : { kind: "text", text, id: object.oid };
  };
  const manifest = (slot: number): ManifestRead => (isKnown(slot) ? { kind: "known", id: found[slot]!.oid } : file(slot));

  const tags: TagRead[] = releases.map(({ tag }, index) => {
    const slot = tagSlots[index];
    const folder = slot ? found[slot.folder] : null;
    return { tag, folder: slot && folder?.type === "tree" ? { treeId: folder.oid, manifest: manifest(slot.manifest) } : null };
  });
  const treeReads: TreeRead[] = trees.map((at, index) => ({
    ref: at.ref,
    folders: listings[index]!.map((folder, slot): AssetFolderRead => ({ ...folder, manifest: manifest(treeSlots[index]!.folders[slot]!) })),
    models: file(modelsSlots[index]!),
    strayFiles: listed[index]!.strayFiles,
  }));
  return { tags, trees: treeReads, policy: file(policySlot) };
}

/** `checkObjects`, asking git only about the names the memo does not hold, and remembering what it finds. */
async function checkObjectsWith(cwd: string, names: readonly string[], memo: ObjectMemo | undefined): Promise<(ObjectInfo | null)[]> {
  if (!memo) return checkObjects(cwd, names);
  const found: (ObjectInfo | null)[] = names.map((name) => memo.get(name) ?? null);
  const asked = names.flatMap((name, slot) => (found[slot] === null ? [slot] : []));
  const answers = await checkObjects(cwd, asked.map((slot) => names[slot]!));
  asked.forEach((slot, index) => {
    const answer = answers[index] ?? null;
    found[slot] = answer;
    if (answer) memo.set(names[slot]!, answer);
  });
  return found;
}
