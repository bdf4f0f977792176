import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { agentManifestSchema, type AgentManifest } from "../../schemas/agent.schema.ts";
import type { ParsedSuite, SuiteFile } from "../core/evals/parse-suite.ts";
import { findSuiteSettingLine, isSuiteFile, parseSuite } from "../core/evals/parse-suite.ts";
import { parseSkillEvals, SKILL_EVALS_FILE } from "../core/evals/parse-skill-evals.ts";
import { MAX_FILE_BYTES, tooLarge } from "../core/files/size-limit.ts";
import { codeSpan } from "../core/code-span.ts";
import { problemAt, sortProblems, type SourceLocation } from "../core/problems.ts";
import { AGENT_MANIFEST } from "../core/registry/build-agent.ts";
import { sha256Hex } from "../evals/hash.ts";
import { FileAccessError, isSystemError } from "./file-access-error.ts";

/** `evals` settings an agent.yaml without an `evals` section gets (the schema's defaults). */
const EVALS_DEFAULTS = agentManifestSchema.shape.evals.unwrap().parse({});

/** The agent whose suite is read: how problems name its repo, and its manifest. */
export interface ReadSuiteOptions {
  /** The agent repo as problems name it (for the command line, its folder as the user sees it). */
  readonly repo: string;
  /** The agent's parsed agent.yaml: its `evals.suite` folder and `evals.trials`. */
  readonly manifest: Pick<AgentManifest, "evals">;
  /** The agent, named on every problem when given. */
  readonly agent?: string;
}

/**
 * Reads an agent's eval suite from its repo on disk and parses it:
 * 1. find the line of `evals.suite` in agent.yaml, where problems about the folder point;
 * 2. list the folder's YAML files, recursively (subfolders group cases), sorted by path;
 *    hidden files and folders are skipped, other files (README.md) left to the parser to ignore;
 * 3. read each, refusing files over the size cap and symlinks that lead out of the repo;
 * 4. parse them into one suite (null when anything is wrong).
 * A suite folder that is missing or is a file is a problem, not a throw; a file that exists
 * but cannot be read is a {@link FileAccessError}.
 */
export async function readSuite(repoDir: string, options: ReadSuiteOptions): Promise<ParsedSuite> {
  const evals = options.manifest.evals ?? EVALS_DEFAULTS;
  const setting = { path: AGENT_MANIFEST, line: await readSettingLine(repoDir) };
  const manifestAt: SourceLocation = { repo: options.repo, path: AGENT_MANIFEST };
  const suitePath = normalize(evals.suite);
  const listed = await listSuiteFiles(repoDir, suitePath);
  if (listed.kind !== "ok") {
    const names = options.manifest.evals === undefined
      ? `sets no \`evals.suite\`, so the eval suite is the default folder ${codeSpan(suitePath)}`
      : `names the eval suite folder ${codeSpan(suitePath)}`;
    const what = listed.kind === "missing"
      ? `${names}, which does not exist in the agent repo; create it with a YAML file of cases (like ${codeSpan(`${suitePath}/cases.yaml`)})${options.manifest.evals === undefined ? ", or set `evals.suite`" : ", or fix the path"}`
      : listed.kind === "not-a-folder"
        ? `${names}, but that is a file; point \`evals.suite\` at the folder that holds the suite's YAML files`
        : `${names}, which resolves outside the agent repo (a symlink); keep the suite inside the repo`;
    return { suite: null, problems: [problemAt(manifestAt, setting.line, "error", listed.kind === "missing" ? "missing-suite" : listed.kind, what, options.agent)] };
  }
  const parsed = parseSuite(listed.files, { repo: options.repo, suitePath, defaultTrials: evals.trials, hash: sha256Hex, setting, ...(options.agent === undefined ? {} : { agent: options.agent }) });
  const refused = listed.refused.map((file) => {
    const at: SourceLocation = { repo: options.repo, path: file.path };
    const problem = file.reason === "too-large"
      ? tooLarge(at, file.bytes ?? 0, "an eval suite file")
      : file.reason === "path-escape"
        ? problemAt(at, 1, "error", "path-escape", "is a symlink that leads outside the agent repo, so it was not read; keep suite files inside the repo")
        : problemAt(at, 1, "error", "not-a-file", "is not a regular file (a device, a pipe or a socket), so it was not read; suite files are YAML text files");
    return options.agent === undefined ? problem : { ...problem, agent: options.agent };
  });
  if (refused.length === 0) return parsed;
  // A suite is run whole or not at all.
  return { suite: null, problems: sortProblems([...refused, ...parsed.problems]) };
}

/** A suite file that was not read, and why. */
export interface RefusedFile {
  readonly path: string;
  readonly reason: "too-large" | "path-escape" | "not-a-file";
  readonly bytes?: number;
}

/** The suite folder's files, or why there are none: missing, not a folder, or outside the repo. */
export type SuiteListing =
  | { readonly kind: "ok"; readonly files: SuiteFile[]; readonly refused: RefusedFile[] }
  | { readonly kind: "missing" | "not-a-folder" | "path-escape" };

/**
 * Lists and reads the YAML files under `suitePath` (relative to the repo), recursively,
 * with paths relative to the repo's root in `/` form, sorted. Symlinks are followed when
 * they stay inside the repo; a symlinked folder is read once, however it is reached.
 */
export async function listSuiteFiles(repoDir: string, suitePath: string): Promise<SuiteListing> {
  const realRepo = await realpath(repoDir).catch((error: unknown) => {
    throw new FileAccessError("read", repoDir, { cause: error });
  });
  const top = path.join(repoDir, suitePath);
  const realTop = await realpath(top).catch((error: unknown) => {
    if (isMissing(error)) return null;
    throw new FileAccessError("read", top, { cause: error });
  });
  if (realTop === null) return { kind: "missing" };
  if (!isInside(realTop, realRepo)) return { kind: "path-escape" };
  if (!(await stat(realTop)).isDirectory()) return { kind: "not-a-folder" };

  const files: SuiteFile[] = [];
  const refused: RefusedFile[] = [];
  const visited = new Set<string>([realTop]);
  const walk = async (dir: string, relative: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      throw new FileAccessError("read", dir, { cause: error });
    });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      const shown = relative === "." ? entry.name : `${relative}/${entry.name}`;
      let target = full;
      if (entry.isSymbolicLink()) {
        const real = await realpath(full).catch((error: unknown) => {
          if (isMissing(error)) return null;
          throw new FileAccessError("read", full, { cause: error });
        });
        // A dangling link holds nothing to read; one that leads out of the repo is refused.
        if (real === null) continue;
        if (!isInside(real, realRepo)) {
          if (isSuiteFile(entry.name) || (await stat(real)).isDirectory()) refused.push({ path: shown, reason: "path-escape" });
          continue;
        }
        target = real;
      }
      const info = await lstat(target);
      if (info.isDirectory()) {
        const real = await realpath(target);
        if (visited.has(real)) continue;
        visited.add(real);
        await walk(target, shown);
      } else if (info.isFile() && isSuiteFile(entry.name)) {
        if (info.size > MAX_FILE_BYTES) refused.push({ path: shown, reason: "too-large", bytes: info.size });
        else files.push({ path: shown, text: await readFile(target, "utf8").catch((error: unknown) => { throw new FileAccessError("read", full, { cause: error }); }) });
      } else if (info.isFile()) {
        // Other files (README.md) are passed on by name only: the parser ignores them, but names them when the folder has no YAML.
        files.push({ path: shown, text: "" });
      } else if (isSuiteFile(entry.name)) {
        refused.push({ path: shown, reason: "not-a-file" });
      }
    }
  };
  await walk(realTop, suitePath);
  return { kind: "ok", files, refused };
}

/**
 * Reads a skill's `evals/evals.json` from the skill's folder on disk and parses it; null
 * when the skill has none (a skill need not have evals). `skillPath` is the skill folder
 * relative to the repo's root, as problems name it (`skills/refund-policy`).
 */
export async function readSkillEvals(
  skillDir: string,
  options: { readonly repo: string; readonly skillPath: string; readonly skill: string; readonly defaultTrials: number },
): Promise<ParsedSuite | null> {
  const file = path.join(skillDir, SKILL_EVALS_FILE);
  const shown = `${normalize(options.skillPath)}/${SKILL_EVALS_FILE}`;
  const info = await stat(file).catch((error: unknown) => {
    if (isMissing(error)) return null;
    throw new FileAccessError("read", file, { cause: error });
  });
  if (info === null) return null;
  const at: SourceLocation = { repo: options.repo, path: shown };
  if (!info.isFile()) return { suite: null, problems: [problemAt(at, 1, "error", "not-a-file", "is not a file; a skill's evals are the JSON file evals/evals.json")] };
  if (info.size > MAX_FILE_BYTES) return { suite: null, problems: [tooLarge(at, info.size, "an evals.json")] };
  const text = await readFile(file, "utf8").catch((error: unknown) => {
    throw new FileAccessError("read", file, { cause: error });
  });
  return parseSkillEvals({ path: shown, text }, { repo: options.repo, skill: options.skill, defaultTrials: options.defaultTrials, hash: sha256Hex });
}

/** The line of `evals.suite` in the repo's agent.yaml; 1 when it cannot be read (its reader reports that). */
async function readSettingLine(repoDir: string): Promise<number> {
  const file = path.join(repoDir, AGENT_MANIFEST);
  // The agent's reader has read (or reported) agent.yaml already; here it only places a problem.
  const size = await stat(file).then((info) => (info.isFile() ? info.size : null), () => null);
  if (size === null || size > MAX_FILE_BYTES) return 1;
  const text = await readFile(file, "utf8").catch(() => null);
  return text === null ? 1 : findSuiteSettingLine(text);
}

function isMissing(error: unknown): boolean {
  return isSystemError(error) && (error.code === "ENOENT" || error.code === "ENOTDIR");
}

function isInside(real: string, realRepo: string): boolean {
  return real === realRepo || real.startsWith(realRepo + path.sep);
}

/** `./evals//` → `evals`. */
function normalize(relative: string): string {
  return relative.split("/").filter((part) => part !== "" && part !== ".").join("/") || ".";
}

