/**
 * Builds the example org (examples/org) as blastgate meets it: a real git registry repo
 * with every published version tagged, one branch per proposed change, and the agent
 * repos as plain folders.
 *
 *   node scripts/build-example-org.ts [outDir]      (default: .example-org)
 *
 * Plan:
 * 1. Read every asset version: registry/ holds each asset's latest, history/ the older
 *    releases as `<kind>/<name>@<version>/` folders.
 * 2. Delete and recreate outDir; `git init` outDir/registry with a fixed identity and dates.
 * 3. History rounds: round i writes the i-th oldest version of every asset that has one,
 *    commits, and tags each version written as `<kind>/<name>@<version>`.
 * 4. The final round writes registry/ as it stands onto `main`, commits and tags the latest.
 * 5. Each changes/<name>/ becomes branch `change/<name>` off main: its files written over
 *    the tree, the paths in its DELETE file removed, committed with CHANGE.md's title.
 * 6. Copy agents/ to outDir/agents.
 */
import { execFile } from "node:child_process";
import { cp, lstat, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { devNull, homedir } from "node:os";
import { isAbsolute, join, parse as parsePath, relative, resolve } from "node:path";
import { promisify } from "node:util";
import semver from "semver";
import { parse as parseYaml } from "yaml";

const run = promisify(execFile);

/** Where the built example org is. */
export interface ExampleOrg {
  /** The registry repo (a git working tree on `main`). */
  readonly registry: string;
  /** The folder holding one plain folder per agent repo. */
  readonly agents: string;
  /** The proposed changes, as branch names in the registry repo: `change/<name>`. */
  readonly changes: string[];
}

type AssetKind = "servers" | "skills";

/** One published version of one asset, and the folder holding its files. */
interface AssetRelease {
  readonly kind: AssetKind;
  readonly name: string;
  readonly version: string;
  readonly dir: string;
}

/** An asset's releases: older ones from history/ (oldest first), the latest from registry/. */
interface AssetHistory {
  readonly kind: AssetKind;
  readonly name: string;
  readonly older: AssetRelease[];
  /** Absent when the asset was removed from the registry and lives on in history/ only. */
  readonly latest?: AssetRelease;
}

const kinds: readonly AssetKind[] = ["servers", "skills"];
const manifestFile: Record<AssetKind, string> = { servers: "server.yaml", skills: "SKILL.md" };

// Fixed identity and clock: building twice gives the same commit ids.
const author = { name: "Acme Registry Bot", email: "registry-bot@acme.example" };
const firstCommitSeconds = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;
const secondsPerCommit = 24 * 60 * 60;

/** The repo root, found from this file so the script works from any working directory. */
const repoRoot = resolve(import.meta.dirname, "..");

/**
 * Builds the example org into `outDir` (deleted first) from `sourceDir`
 * (default: examples/org) and returns where the registry, agents and change branches are.
 */
export async function buildExampleOrg(outDir: string, sourceDir: string = join(repoRoot, "examples", "org")): Promise<ExampleOrg> {
  const source = resolve(sourceDir);
  const out = resolve(outDir);
  assertSafeToDelete(out, source);

  // 1. Every asset version.
  const assets = await readAssets(source);

  // 2. A fresh repo.
  await rm(out, { recursive: true, force: true });
  const registry = join(out, "registry");
  await mkdir(registry, { recursive: true });
  const git = createGit(registry);
  // An empty template skips copying sample hooks; nothing in this repo runs hooks.
  await git.run(["-c", "init.defaultBranch=main", "init", "--quiet", "--template="]);
  for (const [key, value] of [
    ["user.name", author.name],
    ["user.email", author.email],
    ["commit.gpgsign", "false"],
    ["tag.gpgsign", "false"],
    ["core.autocrlf", "false"],
  ] as const) {
    await git.run(["config", key, value]);
  }

  // 3. History rounds, oldest first; 4. the registry as it stands.
  const tags: string[] = [];
  const rounds = Math.max(0, ...assets.map((asset) => asset.older.length));
  for (let round = 0; round <= rounds; round++) {
    const final = round === rounds;
    const written: AssetRelease[] = [];
    for (const asset of assets) {
      const release = final ? asset.latest : asset.older[round];
      if (!release) continue;
      const target = join(registry, release.kind, release.name);
      await rm(target, { recursive: true, force: true });
      await cp(release.dir, target, { recursive: true });
      written.push(release);
    }
    if (final) {
      // Everything else in registry/ (models.yaml, .github/, README.md) as it stands.
      await cp(join(source, "registry"), registry, {
        recursive: true,
        filter: (path) => !kinds.some((kind) => isInside(path, join(source, "registry", kind))),
      });
      // Assets that only exist in history/ were removed from the registry since.
      for (const asset of assets) {
        if (!asset.latest) await rm(join(registry, asset.kind, asset.name), { recursive: true, force: true });
      }
    }
    await git.run(["add", "--all"]);
    const summary = written.map((release) => `${release.name}@${release.version}`).join(", ");
    await git.commit(final ? `Registry as it stands: ${summary}` : `Publish ${summary}`);
    const commit = (await git.run(["rev-parse", "HEAD"])).trim();
    for (const release of written) tags.push(`create refs/tags/${release.kind}/${release.name}@${release.version} ${commit}`);
  }
  await git.run(["update-ref", "--stdin"], tags.join("\n") + "\n");

  // 5. One branch per proposed change.
  const changes: string[] = [];
  const changesDir = join(source, "changes");
  for (const name of await listDirs(changesDir)) {
    const dir = join(changesDir, name);
    const title = parseChangeTitle(await readFile(join(dir, "CHANGE.md"), "utf8"), join("changes", name, "CHANGE.md"));
    const deletions = parseDeleteList(await readOptional(join(dir, "DELETE")), join("changes", name, "DELETE"));
    const branch = `change/${name}`;
    await git.run(["checkout", "--quiet", "-b", branch, "main"]);
    await cp(dir, registry, {
      recursive: true,
      filter: (path) => path !== join(dir, "CHANGE.md") && path !== join(dir, "DELETE"),
    });
    for (const path of deletions) {
      const target = join(registry, path);
      const exists = await lstat(target).then(
        () => true,
        () => false,
      );
      if (!exists) throw new Error(`changes/${name}/DELETE names \`${path}\`, which is not in the registry; remove the line or fix the path`);
      await rm(target, { recursive: true });
    }
    await git.run(["add", "--all"]);
    if ((await git.run(["status", "--porcelain"])).trim() === "") {
      throw new Error(`changes/${name} changes nothing in the registry; add the files it writes at their registry paths`);
    }
    await git.commit(title);
    changes.push(branch);
  }
  await git.run(["checkout", "--quiet", "main"]);

  // 6. The agent repos, as plain folders.
  const agents = join(out, "agents");
  await cp(join(source, "agents"), agents, { recursive: true });

  return { registry, agents, changes };
}

/** Reads every asset's releases from registry/ and history/, checking folder names against versions. */
async function readAssets(source: string): Promise<AssetHistory[]> {
  const byId = new Map<string, { kind: AssetKind; name: string; older: AssetRelease[]; latest?: AssetRelease }>();
  const entry = (kind: AssetKind, name: string) => {
    const id = `${kind}/${name}`;
    let found = byId.get(id);
    if (!found) byId.set(id, (found = { kind, name, older: [] }));
    return found;
  };
  for (const kind of kinds) {
    for (const name of await listDirs(join(source, "registry", kind))) {
      const dir = join(source, "registry", kind, name);
      entry(kind, name).latest = { kind, name, version: await readVersion(kind, dir), dir };
    }
    for (const folder of await listDirs(join(source, "history", kind))) {
      const at = folder.indexOf("@");
      const name = folder.slice(0, at);
      const version = folder.slice(at + 1);
      const where = `history/${kind}/${folder}`;
      if (at <= 0 || semver.valid(version) !== version) {
        throw new Error(`${where}: expected a folder named <name>@<version>, like crm@2.0.0`);
      }
      const dir = join(source, "history", kind, folder);
      const inFile = await readVersion(kind, dir);
      if (inFile !== version) {
        throw new Error(`${where}/${manifestFile[kind]}: expected version ${version}, as the folder is named; got ${inFile}`);
      }
      entry(kind, name).older.push({ kind, name, version, dir });
    }
  }
  const assets = [...byId.values()].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  for (const asset of assets) {
    asset.older.sort((a, b) => semver.compare(a.version, b.version));
    if (asset.latest && asset.older.some((release) => release.version === asset.latest!.version)) {
      throw new Error(`${asset.kind}/${asset.name}@${asset.latest.version} is both in registry/ and in history/; history holds older releases only`);
    }
  }
  return assets;
}

/** The exact version in a server.yaml or in a SKILL.md's frontmatter (`metadata.version`). */
async function readVersion(kind: AssetKind, dir: string): Promise<string> {
  const file = join(dir, manifestFile[kind]);
  const text = await readFile(file, "utf8");
  let data: unknown;
  if (kind === "servers") {
    data = parseYaml(text);
  } else {
    const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
    if (!match) throw new Error(`${file}: expected YAML frontmatter between --- lines`);
    data = (parseYaml(match[1]!) as { metadata?: unknown } | null)?.metadata;
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version !== "string" || semver.valid(version) !== version) {
    throw new Error(`${file}: expected an exact semver version (${kind === "servers" ? "`version`" : "`metadata.version`"}); got ${String(version)}`);
  }
  return version;
}

/** The PR title: CHANGE.md's first line, `# title`. */
function parseChangeTitle(text: string, where: string): string {
  const match = /^# +(\S.*?)\s*$/.exec(text.split("\n")[0] ?? "");
  if (!match) throw new Error(`${where}: expected the PR title on line 1, as \`# title\``);
  return match[1]!;
}

/** Registry paths to delete, one per line; blank lines and `#` comments are ignored. */
function parseDeleteList(text: string | undefined, where: string): string[] {
  if (text === undefined) return [];
  const paths = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  for (const path of paths) {
    if (isAbsolute(path) || path.includes("\\") || path.split("/").some((part) => part === ".." || part === "." || part === "") || path === ".git" || path.startsWith(".git/")) {
      throw new Error(`${where}: expected registry paths like skills/tone-guide/references/glossary.md; got \`${path}\``);
    }
  }
  return paths;
}

/** Refuses to delete a folder that is clearly not a build output. */
function assertSafeToDelete(out: string, source: string): void {
  const reasons: [boolean, string][] = [
    [parsePath(out).root === out, "the filesystem root"],
    [out === homedir(), "your home folder"],
    [isInside(repoRoot, out), "this repo or a folder holding it"],
    [isInside(source, out), "the example's source or a folder holding it"],
  ];
  const reason = reasons.find(([bad]) => bad);
  if (reason) throw new Error(`refusing to delete ${out}: it is ${reason[1]}; pass an empty or build folder`);
}

/** True when `path` is `folder` or inside it. */
function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

async function listDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
}

/** Runs the real git binary in one repo: argument arrays, no shell, no user or system config. */
function createGit(cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Variables a calling git (a hook, a test inside a repo) may have set would redirect us.
  for (const name of Object.keys(env)) if (name.startsWith("GIT_")) delete env[name];
  Object.assign(env, { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: devNull, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" });
  let commits = 0;
  const runGit = async (args: readonly string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> => {
    const child = run("git", [...args], { cwd, env: { ...env, ...extraEnv }, maxBuffer: 16 * 1024 * 1024 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    try {
      return (await child).stdout;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      throw new Error(`git ${args.join(" ")} failed in ${cwd}${stderr ? `: ${stderr}` : ""}`, { cause: error });
    }
  };
  return {
    run: runGit,
    /** Commits the index with the next fixed date. */
    commit: (message: string) => {
      const date = `@${firstCommitSeconds + secondsPerCommit * commits++} +0000`;
      return runGit(["commit", "--quiet", "--no-verify", "-m", message], undefined, { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    },
  };
}

if (import.meta.main) {
  const outDir = process.argv[2] ?? join(repoRoot, ".example-org");
  buildExampleOrg(outDir).then(
    (org) => {
      console.log(`registry: ${org.registry}`);
      console.log(`agents:   ${org.agents}`);
      for (const branch of org.changes) console.log(`change:   ${branch}`);
    },
    (error: unknown) => {
      console.error(`build-example-org: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
