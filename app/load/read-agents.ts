import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { createHash } from "node:crypto";
import { MAX_FILE_BYTES } from "../core/files/parse-yaml.ts";
import type { Problem } from "../core/problems.ts";
import { AGENT_MANIFEST, buildAgentFacts, parseAgentRepo, type AgentMemo, type OverlayRead } from "../core/registry/build-agent.ts";
import type { FileRead } from "../core/registry/build-registry-history.ts";
import type { AgentFacts } from "../core/registry/model.ts";

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
 * Each agent's repo id is its folder.
 */
export async function readAgents(dirs: readonly string[], memo?: AgentMemo): Promise<{ agents: AgentFacts[]; problems: Problem[]; refused: number }> {
  const repos = (await Promise.all(dirs.map((dir) => findAgentRepos(dir)))).flat();
  const results = await Promise.all(repos.map((repo) => readAgent(repo, memo)));
  return {
    agents: results.flatMap((result) => (result.agent ? [result.agent] : [])),
    problems: results.flatMap((result) => result.problems),
    refused: results.filter((result) => result.agent === null).length,
  };
}

async function findAgentRepos(dir: string): Promise<string[]> {
  if (await isFile(path.join(dir, AGENT_MANIFEST))) return [dir];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new NoAgentsError(dir);
  });
  const folders = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map((entry) => path.join(dir, entry.name));
  const isRepo = await Promise.all(folders.map((folder) => isFile(path.join(folder, AGENT_MANIFEST))));
  const repos = folders.filter((_, index) => isRepo[index]).sort();
  if (repos.length === 0) throw new NoAgentsError(dir);
  return repos;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((info) => info.isFile(), () => false);
}

/** Reads a user-written file as the core takes it, without reading anything over the size cap. */
async function readUserFile(file: string): Promise<FileRead> {
  const info = await stat(file).catch(() => null);
  if (!info || !info.isFile()) return { kind: "missing" };
  if (info.size > MAX_FILE_BYTES) return { kind: "too-large", bytes: info.size };
  const text = await readFile(file, "utf8");
  return { kind: "text", text, id: createHash("sha1").update(text).digest("hex") };
}

async function readAgent(repo: string, memo: AgentMemo | undefined): Promise<{ agent: AgentFacts | null; problems: Problem[] }> {
  const { draft, problems } = parseAgentRepo(repo, await readUserFile(path.join(repo, AGENT_MANIFEST)), memo);
  if (!draft) return { agent: null, problems };
  const overlays = new Map<string, OverlayRead>();
  const realRepo = draft.overlayPaths.size > 0 ? await realpath(repo) : repo;
  for (const { path: overlay } of draft.overlayPaths.values()) {
    const real = await realpath(path.resolve(repo, overlay)).catch(() => null);
    if (real === null) overlays.set(overlay, { kind: "missing" });
    else if (real !== realRepo && !real.startsWith(realRepo + path.sep)) overlays.set(overlay, { kind: "outside-repo" });
    else overlays.set(overlay, await readUserFile(real));
  }
  const built = buildAgentFacts(draft, overlays);
  return { agent: built.agent, problems: [...problems, ...built.problems] };
}
