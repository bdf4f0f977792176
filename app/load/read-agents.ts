import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { AgentFacts, OverlayFacts } from "../core/registry/model.ts";
import { parseAgentManifest, parseOverlay } from "../core/registry/parse-manifests.ts";
import { MAX_FILE_BYTES } from "../core/files/parse-yaml.ts";
import { problemAt, type Problem, type SourceFile } from "../core/problems.ts";

/** An `--agents` folder holds neither an agent.yaml nor agent repos. */
export class NoAgentsError extends Error {
  constructor(dir: string) {
    super(`${dir} holds no agent.yaml, and none of its folders does; --agents names one agent repo or a folder of agent repos`);
    this.name = "NoAgentsError";
  }
}

export const AGENT_MANIFEST = "agent.yaml";

/**
 * Reads the agent repos under each `--agents` folder: the folder itself when it holds
 * an agent.yaml, else each of its subfolders that does. A broken manifest becomes
 * problems and is left out; the other agents are still read.
 */
export async function readAgents(dirs: readonly string[], cwd = process.cwd()): Promise<{ agents: AgentFacts[]; problems: Problem[] }> {
  const repos = await withoutDuplicates((await Promise.all(dirs.map((dir) => findAgentRepos(path.resolve(cwd, dir))))).flat());
  const results = await Promise.all(repos.map((repo) => readAgent(repo, cwd)));
  return {
    agents: results.flatMap((result) => (result.agent ? [result.agent] : [])),
    problems: results.flatMap((result) => result.problems),
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

/**
 * Each repo once, however many `--agents` reach it (`--agents agents --agents agents/triage`,
 * or through a symlink): compared by real path, kept at its first mention.
 */
async function withoutDuplicates(repos: readonly string[]): Promise<string[]> {
  const real = await Promise.all(repos.map((repo) => realpath(repo).catch(() => repo)));
  const seen = new Set<string>();
  return repos.filter((_, index) => {
    if (seen.has(real[index]!)) return false;
    seen.add(real[index]!);
    return true;
  });
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((info) => info.isFile(), () => false);
}

/** Reads a user-written file, refusing anything over the size cap. */
async function readUserFile(file: string, source: SourceFile): Promise<{ text: string } | { problem: Problem }> {
  const info = await stat(file).catch(() => null);
  if (!info || !info.isFile()) return { problem: problemAt(source, 1, "error", "missing-file", "does not exist") };
  if (info.size > MAX_FILE_BYTES) return { problem: problemAt(source, 1, "error", "schema", `is larger than ${MAX_FILE_BYTES / 1024} KiB; keep it a small text file`) };
  return { text: await readFile(file, "utf8") };
}

async function readAgent(repoDir: string, cwd: string): Promise<{ agent: AgentFacts | null; problems: Problem[] }> {
  const repo = path.relative(cwd, repoDir) || ".";
  const source: SourceFile = { file: path.relative(cwd, path.join(repoDir, AGENT_MANIFEST)) };
  const read = await readUserFile(path.join(repoDir, AGENT_MANIFEST), source);
  if ("problem" in read) return { agent: null, problems: [read.problem] };
  const parsed = parseAgentManifest({ ...source, text: read.text }, repo);
  if (!parsed.value) return { agent: null, problems: [...parsed.problems] };
  const { facts, overlayPaths } = parsed.value;
  const problems: Problem[] = [...parsed.problems];
  const overlays = new Map<string, OverlayFacts>();
  const realRepo = overlayPaths.size > 0 ? await realpath(repoDir) : repoDir;
  for (const [skill, overlay] of overlayPaths) {
    const overlaySource: SourceFile = { file: path.relative(cwd, path.join(repoDir, overlay.path)) };
    const target = path.resolve(repoDir, overlay.path);
    const real = await realpath(target).catch(() => null);
    if (real === null) {
      problems.push(problemAt(source, overlay.line, "error", "missing-file", `overlay \`${overlay.path}\` for skill \`${skill}\` does not exist in ${repo}; create it or fix the path`, facts.name));
      continue;
    }
    // The schema already refuses `..` and absolute paths; a symlink can still point out.
    if (real !== realRepo && !real.startsWith(realRepo + path.sep)) {
      problems.push(problemAt(source, overlay.line, "error", "path-escape", `overlay \`${overlay.path}\` resolves outside the agent repo; keep overlays inside ${repo}`, facts.name));
      continue;
    }
    const text = await readUserFile(real, overlaySource);
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
