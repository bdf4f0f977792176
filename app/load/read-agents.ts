import { closeSync, fstatSync, openSync, readFileSync, realpathSync } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { createHash } from "node:crypto";
import { MAX_FILE_BYTES } from "../core/files/parse-yaml.ts";
import type { Problem } from "../core/problems.ts";
import { AGENT_MANIFEST, buildAgentFacts, parseAgentRepo, type AgentMemo, type OverlayRead } from "../core/registry/build-agent.ts";
import type { FileRead } from "../core/registry/build-registry-history.ts";
import type { AgentFacts } from "../core/registry/model.ts";

/** Manifests read between two yields to the event loop. */
const READ_SLICE = 500;

/** An `--agents` folder holds neither an agent.yaml nor agent repos. */
export class NoAgentsError extends Error {
  constructor(dir: string) {
    super(`${dir} holds no agent.yaml, and none of its folders does; --agents names one agent repo or a folder of agent repos`);
    this.name = "NoAgentsError";
  }
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
  const manifests = new Map<string, FileRead>();
  for (let start = 0; start < candidates.length; start += READ_SLICE) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const repo of candidates.slice(start, start + READ_SLICE)) manifests.set(repo, readUserFile(path.join(repo, AGENT_MANIFEST)));
  }
  for (const { dir, candidates: mine } of listed) {
    if (!mine.some((repo) => manifests.get(repo)!.kind !== "missing")) throw new NoAgentsError(dir);
  }
  const repos = candidates.filter((repo) => manifests.get(repo)!.kind !== "missing");
  const results = repos.map((repo) => readAgent(repo, manifests.get(repo)!, memo));
  return {
    agents: results.flatMap((result) => (result.agent ? [result.agent] : [])),
    problems: results.flatMap((result) => result.problems),
    refused: results.filter((result) => result.agent === null).length,
  };
}

/** The folder itself when it holds an agent.yaml, else its subfolders; by real path, so the same repo reached twice is one. */
async function listCandidates(dir: string): Promise<string[]> {
  const real = await realpath(dir).catch(() => {
    throw new NoAgentsError(dir);
  });
  if ((await stat(path.join(real, AGENT_MANIFEST)).catch(() => null))?.isFile()) return [real];
  const entries = await readdir(real, { withFileTypes: true }).catch(() => {
    throw new NoAgentsError(dir);
  });
  return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map((entry) => path.join(real, entry.name));
}

/**
 * Reads a user-written file as the core takes it, without reading anything over the size
 * cap: one open, one fstat. Synchronous on purpose: for thousands of small manifests it is
 * about eight times faster than the promise API's four thread-pool round trips per file.
 */
function readUserFile(file: string): FileRead {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return { kind: "missing" };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { kind: "missing" };
    if (info.size > MAX_FILE_BYTES) return { kind: "too-large", bytes: info.size };
    const text = readFileSync(fd, "utf8");
    return { kind: "text", text, id: createHash("sha1").update(text).digest("hex") };
  } finally {
    closeSync(fd);
  }
}

function readAgent(repo: string, manifest: FileRead, memo: AgentMemo | undefined): { agent: AgentFacts | null; problems: Problem[] } {
  const { draft, problems } = parseAgentRepo(repo, manifest, memo);
  if (!draft) return { agent: null, problems };
  const overlays = new Map<string, OverlayRead>();
  const realRepo = draft.overlayPaths.size > 0 ? realpathSync(repo) : repo;
  for (const { path: overlay } of draft.overlayPaths.values()) {
    const real = realpathOrNull(path.resolve(repo, overlay));
    if (real === null) overlays.set(overlay, { kind: "missing" });
    else if (real !== realRepo && !real.startsWith(realRepo + path.sep)) overlays.set(overlay, { kind: "outside-repo" });
    else overlays.set(overlay, readUserFile(real));
  }
  const built = buildAgentFacts(draft, overlays);
  return { agent: built.agent, problems: [...problems, ...built.problems] };
}

function realpathOrNull(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    return null;
  }
}
