import { readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Closure } from "../../schemas/affected-report.schema.ts";
import { agentManifestSchema } from "../../schemas/agent.schema.ts";
import type { ServerManifest } from "../../schemas/server.schema.ts";
import { selectToolServers, type AssembleAgentInput } from "../core/evals/assemble-agent.ts";
import { MAX_FILE_BYTES, parseYamlFile } from "../core/files/parse-yaml.ts";
import { tooLarge } from "../core/files/size-limit.ts";
import { problemAt, sortProblems, type Problem, type SourceLocation } from "../core/problems.ts";
import { AGENT_MANIFEST } from "../core/registry/build-agent.ts";
import { manifestPath, releaseTag } from "../core/registry/layout.ts";
import type { AgentFacts, AssetId, AssetVersion } from "../core/registry/model.ts";
import { isSystemError } from "./file-access-error.ts";
import { readObjects } from "./git.ts";

/** What {@link assembleAgent} needs besides the variant, the suite's hash and the hash function. */
export type AgentUnderTestParts = Pick<AssembleAgentInput, "agent" | "closure" | "servers" | "skills" | "overlays" | "system">;

export type AgentUnderTestRead = { readonly kind: "ok"; readonly parts: AgentUnderTestParts } | { readonly kind: "invalid"; readonly problems: readonly Problem[] };

/**
 * Reads what one variant of an agent runs with.
 *
 * 1. Each resolved skill's SKILL.md at its content id (the skill folder's git tree id), in one
 *    `git cat-file --batch` for all of them.
 * 2. The tool contracts of the servers the agent sees, from the parsed versions in `versions`
 *    (a registry state's `assets`), matched by version and content id.
 * 3. The agent's overlays and system prompt, from its folder.
 *
 * A part that cannot be read is a problem naming its file; every problem is reported at once.
 */
export async function readAgentUnderTest(
  registryDir: string,
  agentDir: string,
  agent: AgentFacts,
  closure: Closure,
  versions: ReadonlyMap<AssetId, readonly AssetVersion[]>,
): Promise<AgentUnderTestRead> {
  const problems: Problem[] = [];
  const chosen = new Map(closure.assets.map((entry) => [entry.asset, entry]));
  const versionOf = (asset: AssetId): AssetVersion | undefined => {
    const entry = chosen.get(asset);
    if (!entry) return undefined;
    const candidates = versions.get(asset) ?? [];
    return candidates.find((version) => version.version === entry.version && version.contentHash === entry.contentHash) ?? candidates.find((version) => version.version === entry.version);
  };
  const registry: Omit<SourceLocation, "path"> = { repo: registryDir };

  // 1. Skills, at the tree their content id names.
  const skillEntries = closure.assets.filter((entry) => entry.asset.startsWith("skill:"));
  const objects = await readObjects(
    registryDir,
    skillEntries.map((entry) => `${entry.contentHash}:SKILL.md`),
  );
  const skills = new Map<string, string>();
  skillEntries.forEach((entry, index) => {
    const name = entry.asset.slice("skill:".length);
    const object = objects[index];
    const source = versionOf(entry.asset as AssetId)?.source ?? { ...registry, path: manifestPath("skill", name) };
    if (!object || object.type !== "blob") {
      problems.push(problemAt(source, 1, "error", "missing-file", `SKILL.md of ${name}@${entry.version} is not in the registry repository (tree ${entry.contentHash}); fetch the registry's tags and history, then run again`, agent.name));
    } else if (object.content.length > MAX_FILE_BYTES) {
      problems.push({ ...tooLarge(source, object.content.length, "a SKILL.md"), agent: agent.name });
    } else {
      skills.set(name, object.content.toString("utf8"));
    }
  });

  // 2. Tool contracts, from the parsed server.yaml of each server the agent sees.
  const servers = new Map<string, ServerManifest>();
  for (const name of selectToolServers(agent, versionOf)) {
    const id: AssetId = `server:${name}`;
    const server = versionOf(id)?.server;
    if (server) servers.set(name, server);
    else if (chosen.has(id)) {
      const entry = chosen.get(id)!;
      problems.push(problemAt({ ...registry, path: manifestPath("server", name), ref: releaseTag("server", name, entry.version) }, 1, "error", "missing-file", `server.yaml of ${name}@${entry.version} was not read, so its tools are unknown; check that the tag servers/${name}@${entry.version} exists`, agent.name));
    }
  }

  // 3. The agent's own files.
  const overlays = new Map<string, string>();
  for (const [skill, ref] of Object.entries(agent.manifest.skills)) {
    if (typeof ref === "string" || ref.overlay === undefined || !skills.has(skill)) continue;
    const read = await readAgentFile(agentDir, ref.overlay);
    if (read.kind === "text") overlays.set(skill, read.text);
    else problems.push(await agentFileProblem(agentDir, agent, read, ref.overlay, ["skills", skill, "overlay"], `overlay \`${ref.overlay}\` for skill \`${skill}\``));
  }
  let system: string | null = null;
  const runner = agent.manifest.evals?.runner;
  if (runner?.type === "builtin" && runner.system !== undefined) {
    const read = await readAgentFile(agentDir, runner.system);
    if (read.kind === "text") system = read.text;
    else problems.push(await agentFileProblem(agentDir, agent, read, runner.system, ["evals", "runner", "system"], `system prompt \`${runner.system}\``));
  }

  if (problems.length > 0) return { kind: "invalid", problems: sortProblems(problems) };
  return { kind: "ok", parts: { agent, closure, servers, skills, overlays, system } };
}

type AgentFileRead = { kind: "text"; text: string } | { kind: "missing" } | { kind: "outside-repo" } | { kind: "not-a-file" } | { kind: "too-large"; bytes: number };

/** A file the agent's manifest names, read only when it lies inside the agent's folder. */
async function readAgentFile(agentDir: string, relative: string): Promise<AgentFileRead> {
  let real: string;
  try {
    real = await realpath(path.resolve(agentDir, relative));
  } catch (error) {
    if (isSystemError(error) && (error.code === "ENOENT" || error.code === "ENOTDIR")) return { kind: "missing" };
    throw error;
  }
  const root = await realpath(agentDir);
  if (real !== root && !real.startsWith(root + path.sep)) return { kind: "outside-repo" };
  const info = await stat(real);
  if (!info.isFile()) return { kind: "not-a-file" };
  if (info.size > MAX_FILE_BYTES) return { kind: "too-large", bytes: info.size };
  return { kind: "text", text: await readFile(real, "utf8") };
}

/** The problem for an agent file that could not be read (`subject` names it), at the agent.yaml line that names it. */
async function agentFileProblem(agentDir: string, agent: AgentFacts, read: Exclude<AgentFileRead, { kind: "text" }>, relative: string, key: readonly string[], subject: string): Promise<Problem> {
  if (read.kind === "too-large") return { ...tooLarge({ repo: agent.source.repo, path: relative }, read.bytes, key.includes("overlay") ? "a skill overlay" : "a system prompt"), agent: agent.name };
  const line = await lineInManifest(agentDir, key);
  const message = {
    missing: `${subject} does not exist in the agent repo; create it or fix the path`,
    "outside-repo": `${subject} resolves outside the agent repo; keep it inside`,
    "not-a-file": `${subject} is not a file; point it at a markdown file in the agent repo`,
  }[read.kind];
  const code = { missing: "missing-file", "outside-repo": "path-escape", "not-a-file": "not-a-file" }[read.kind];
  return problemAt(agent.source, line, "error", code, message, agent.name);
}

/** The line of a key in the agent's agent.yaml, or 1 when it cannot be found. */
async function lineInManifest(agentDir: string, key: readonly string[]): Promise<number> {
  try {
    const text = await readFile(path.join(agentDir, AGENT_MANIFEST), "utf8");
    const parsed = parseYamlFile({ repo: agentDir, path: AGENT_MANIFEST, text }, agentManifestSchema, "an agent.yaml");
    return parsed.lineOf?.(key) ?? 1;
  } catch {
    return 1;
  }
}
