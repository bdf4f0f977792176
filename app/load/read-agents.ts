import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { hash } from "node:crypto";
import { MAX_FILE_BYTES } from "../core/files/parse-yaml.ts";
import type { Problem } from "../core/problems.ts";
import { AGENT_MANIFEST, buildAgentFacts, parseAgentRepo, type AgentFileRead, type AgentMemo, type OverlayRead } from "../core/registry/build-agent.ts";
import type { AgentFacts } from "../core/registry/model.ts";
import { FileAccessError, isSystemError } from "./file-access-error.ts";

/** Manifests read between two yields to the event loop. */
const READ_SLICE = 500;

/**
 * An `--agents` path yields no agent: it does not exist (`missing`), is a file
 * (`not-a-folder`), or holds neither an agent.yaml nor agent repos (`empty`). `dir` is
 * absolute; {@link NoAgentsError.describe} words it with the path as the user sees it.
 */
export class NoAgentsError extends Error {
  readonly dir: string;
  readonly reason: "missing" | "not-a-folder" | "empty";
  constructor(dir: string, reason: "missing" | "not-a-folder" | "empty", options?: { cause?: unknown }) {
    super("", options);
    this.name = "NoAgentsError";
    this.dir = dir;
    this.reason = reason;
    this.message = this.describe(dir);
  }

  /** The message, naming the folder as `shownDir`. */
  describe(shownDir: string): string {
    const what = { missing: "does not exist", "not-a-folder": "is a file, not a folder", empty: "holds no agent.yaml, and none of its folders does" }[this.reason];
    return `--agents ${shownDir} ${what}; --agents names one agent repo or a folder of agent repos`;
  }
}

/** The errors that mean "nothing is there": the path, or a folder on it, does not exist. */
function isMissing(error: unknown): boolean {
  return isSystemError(error) && (error.code === "ENOENT" || error.code === "ENOTDIR");
}


/**
 * Reads the agent repos under each `--agents` folder (absolute paths): the folder itself
 * when it holds an agent.yaml, else each of its subfolders that does. A broken manifest
 * becomes problems and is left out (counted in `refused`); the other agents are still read.
 * Each agent's repo id is its folder; a repo named twice (a folder and its parent) is read once.
 */
export async function readAgents(dirs: readonly string[], memo?: AgentMemo): Promise<{ agents: AgentFacts[]; problems: Problem[]; refused: number }> {
  const listed = await Promise.all(dirs.map(async (dir) => ({ dir, candidates: await listCandidates(dir) })));
  const candidates = [...new Set(listed.flatMap((entry) => entry.candidates))].sort();
  // One open per candidate: its agent.yaml, or the news that it has none (then it is not an agent repo).
  // Read in slices, yielding between them, so that git's output (read at the same time) is drained.
  const manifests = new Map<string, AgentFileRead>();
  for (let start = 0; start < candidates.length; start += READ_SLICE) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    // A candidate is a real path (absolute, normalised), so joining is concatenating.
    for (const repo of candidates.slice(start, start + READ_SLICE)) manifests.set(repo, readUserFile(`${repo}${path.sep}${AGENT_MANIFEST}`));
  }
  for (const { dir, candidates: mine } of listed) {
    if (!mine.some((repo) => manifests.get(repo)!.kind !== "missing")) throw new NoAgentsError(dir, "empty");
  }
  const repos = candidates.filter((repo) => manifests.get(repo)!.kind !== "missing");
  const results = repos.map((repo) => readAgent(repo, manifests.get(repo)!, memo));
  return {
    agents: results.flatMap((result) => (result.agent ? [result.agent] : [])),
    problems: results.flatMap((result) => result.problems),
    refused: results.filter((result) => result.agent === null).length + results.reduce((sum, result) => sum + (result.refusedOverlays ?? 0), 0),
  };
}

/**
 * The folder itself when it holds an agent.yaml (a file or not: one that is not is
 * reported, not skipped), else its subfolders, symlinks to folders included; by real path,
 * so the same repo reached twice is one.
 */
async function listCandidates(dir: string): Promise<string[]> {
  const real = await realpath(dir).catch((error: unknown) => {
    throw isMissing(error) ? new NoAgentsError(dir, "missing", { cause: error }) : new FileAccessError("read", dir, { cause: error });
  });
  const own = await stat(path.join(real, AGENT_MANIFEST)).catch((error: unknown) => {
    if (isMissing(error)) return null;
    throw new FileAccessError("read", path.join(dir, AGENT_MANIFEST), { cause: error });
  });
  if (own !== null) return [real];
  const entries = await readdir(real, { withFileTypes: true }).catch((error: unknown) => {
    if (isSystemError(error) && error.code === "ENOTDIR") throw new NoAgentsError(dir, "not-a-folder", { cause: error });
    throw new FileAccessError("read", dir, { cause: error });
  });
  // `real` is a real path and an entry's name holds no separator, so joining is concatenating.
  const inside = (name: string) => (real.endsWith(path.sep) ? `${real}${name}` : `${real}${path.sep}${name}`);
  const visible = entries.filter((entry) => !entry.name.startsWith("."));
  // Thousands of folders are taken as they are; only symlinks need a look (a promise each).
  const folders = visible.filter((entry) => entry.isDirectory()).map((entry) => inside(entry.name));
  const linked = await Promise.all(
    visible
      .filter((entry) => entry.isSymbolicLink())
      .map(async (entry) => {
        // A symlink counts when it leads to a folder; one that leads nowhere is not an agent repo.
        const target = await realpath(inside(entry.name)).catch((error: unknown) => {
          if (isMissing(error)) return null;
          throw new FileAccessError("read", path.join(dir, entry.name), { cause: error });
        });
        return target !== null && (await stat(target)).isDirectory() ? target : null;
      }),
  );
  return [...folders, ...linked.filter((folder) => folder !== null)];
}

/** The buffer every file is read into, one at a time: none is read past the size cap. */
let scratch: Buffer | undefined;

/**
 * Reads a user-written file as the core takes it, without reading anything over the size
 * cap: one open, one fstat, and (for a file under the cap) usually one read. Synchronous on
 * purpose: for thousands of small manifests it is about eight times faster than the
 * promise API's four thread-pool round trips per file. Its id hashes the bytes read.
 * Only ENOENT and ENOTDIR mean `missing`; a file that cannot be read otherwise is a
 * {@link FileAccessError}. Opened without blocking, so a FIFO is reported, not waited on.
 */
function readUserFile(file: string): AgentFileRead {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (isMissing(error)) return { kind: "missing" };
    // Where a folder cannot be opened as a file.
    if (isSystemError(error) && error.code === "EISDIR") return { kind: "not-a-file", folder: true };
    throw new FileAccessError("read", file, { cause: error });
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { kind: "not-a-file", folder: info.isDirectory() };
    if (info.size > MAX_FILE_BYTES) return { kind: "too-large", bytes: info.size };
    // Up to the size fstat gave (as readFileSync does); a file that shrank since ends early.
    const buffer = (scratch ??= Buffer.allocUnsafe(MAX_FILE_BYTES));
    let length = 0;
    while (length < info.size) {
      const read = readSync(fd, buffer, length, info.size - length, null);
      if (read === 0) break;
      length += read;
    }
    const bytes = buffer.subarray(0, length);
    return { kind: "text", text: bytes.toString("utf8"), id: hash("sha1", bytes) };
  } catch (error) {
    throw new FileAccessError("read", file, { cause: error });
  } finally {
    closeSync(fd);
  }
}

function readAgent(repo: string, manifest: AgentFileRead, memo: AgentMemo | undefined): { agent: AgentFacts | null; problems: Problem[]; refusedOverlays?: number } {
  const { draft, problems } = parseAgentRepo(repo, manifest, memo);
  if (!draft) return { agent: null, problems };
  const overlays = new Map<string, OverlayRead>();
  const realRepo = draft.overlayPaths.size > 0 ? realpathSync.native(repo) : repo;
  for (const { path: overlay } of draft.overlayPaths.values()) {
    const real = realpathOrNull(path.resolve(repo, overlay));
    if (real === null) overlays.set(overlay, { kind: "missing" });
    else if (real !== realRepo && !real.startsWith(realRepo + path.sep)) overlays.set(overlay, { kind: "outside-repo" });
    else overlays.set(overlay, readUserFile(real));
  }
  const built = buildAgentFacts(draft, overlays);
  return { agent: built.agent, problems: [...problems, ...built.problems], refusedOverlays: built.refused };
}

/** The real path of a file, or null when it does not exist; any other failure is a {@link FileAccessError}. */
function realpathOrNull(file: string): string | null {
  try {
    return realpathSync.native(file);
  } catch (error) {
    if (isMissing(error)) return null;
    throw new FileAccessError("read", file, { cause: error });
  }
}
