import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { AgentFacts, OverlayFacts } from "../core/registry/model.ts";
import { parseAgentManifest, parseOverlay } from "../core/registry/parse-manifests.ts";
import { MAX_FILE_BYTES } from "../core/files/parse-yaml.ts";
import { tooLarge } from "../core/registry/build-registry-history.ts";
import { problemAt, type Problem, type SourceLocation } from "../core/problems.ts";

/** An `--agents` folder holds neither an agent.yaml nor agent repos. */
export class NoAgentsError extends Error {
  constructor(dir: string) {
    super(`${dir} holds no agent.yaml, and none of its folders does; --agents names one agent repo or a folder of agent repos`);
    this.name = "NoAgentsError";
  }
}

export const AGENT_MANIFEST = "agent.yaml";

/**
 * Reads the agent repos under each `--agents` folder (absolute paths): the folder itself
 * when it holds an agent.yaml, else each of its subfolders that does. A broken manifest
 * becomes problems and is left out (counted in `refused`); the other agents are still read.
 * Each agent's repo id is its folder.
 */
export async function readAgents(dirs: readonly string[]): Promise<{ agents: AgentFacts[]; problems: Problem[]; refused: number }> {
  const repos = (await Promise.all(dirs.map((dir) => findAgentRepos(dir)))).flat();
  const results = await Promise.all(repos.map((repo) => readAgent(repo)));
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

/** Reads a user-written file, refusing anything over the size cap. */
async function readUserFile(file: string, source: SourceLocation, what: string): Promise<{ text: string } | { problem: Problem }> {
  const info = await stat(file).catch(() => null);
  if (!info || !info.isFile()) return { problem: problemAt(source, 1, "error", "missing-file", "does not exist") };
  if (info.size > MAX_FILE_BYTES) return { problem: tooLarge(source, info.size, what) };
  return { text: await readFile(file, "utf8") };
}

async function readAgent(repoDir: string): Promise<{ agent: AgentFacts | null; problems: Problem[] }> {
  const repo = repoDir;
  const source: SourceLocation = { repo, path: AGENT_MANIFEST };
  const read = await readUserFile(path.join(repoDir, AGENT_MANIFEST), source, "an agent.yaml");
  if ("problem" in read) return { agent: null, problems: [read.problem] };
  const parsed = parseAgentManifest({ ...source, text: read.text }, repo);
  if (!parsed.value) return { agent: null, problems: [...parsed.problems] };
  const { facts, overlayPaths } = parsed.value;
  const problems: Problem[] = [...parsed.problems];
  const overlays = new Map<string, OverlayFacts>();
  const realRepo = overlayPaths.size > 0 ? await realpath(repoDir) : repoDir;
  for (const [skill, overlay] of overlayPaths) {
    const overlaySource: SourceLocation = { repo, path: path.posix.normalize(overlay.path) };
    const target = path.resolve(repoDir, overlay.path);
    const real = await realpath(target).catch(() => null);
    if (real === null) {
      problems.push(problemAt(source, overlay.line, "error", "missing-file", `overlay \`${overlay.path}\` for skill \`${skill}\` does not exist in the agent repo; create it or fix the path`, facts.name));
      continue;
    }
    // The schema already refuses `..` and absolute paths; a symlink can still point out.
    if (real !== realRepo && !real.startsWith(realRepo + path.sep)) {
      problems.push(problemAt(source, overlay.line, "error", "path-escape", `overlay \`${overlay.path}\` resolves outside the agent repo; keep overlays inside it`, facts.name));
      continue;
    }
    const text = await readUserFile(real, overlaySource, "a skill overlay");
    if ("problem" in text) {
      problems.push({ ...text.problem, agent: facts.name });
      continue;
    }
    const overlayParsed = parseOverlay({ ...overlaySource, text: text.text }, skill);
    problems.push(...overlayParsed.problems.map((problem) => ({ ...problem, agent: facts.name })));
    if (overlayParsed.value) overlays.set(skill, overlayParsed.value);
  }
  return { agent: { ...facts, overlays }, problems };
}
