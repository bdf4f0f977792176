// What one variant of an agent runs with, put together from facts already read: the
// resolved closure, the servers' tool contracts, the skills' texts, the agent's overlays and
// system prompt. Pure: the hash function is a parameter.
import { canonicalJson } from "./canonical-json.ts";
import type { Closure } from "../../../schemas/affected-report.schema.ts";
import type { ServerManifest } from "../../../schemas/server.schema.ts";
import { byText } from "../by-text.ts";
import { applyOverlay, splitFrontmatter } from "../files/markdown-sections.ts";
import type { AgentFacts, AssetId, AssetVersion } from "../registry/model.ts";
import type { AgentSkill, AgentTool, AgentUnderTest } from "./model.ts";

/** Everything {@link assembleAgent} needs, already read. */
export interface AssembleAgentInput {
  readonly agent: Pick<AgentFacts, "name" | "team" | "tier" | "manifest">;
  /** `base` or `head`, and the ref it was resolved at. */
  readonly variant: { readonly label: string; readonly ref: string };
  /** The agent's resolved closure in that variant's registry state (it must be `ok`, with a model id). */
  readonly closure: Closure;
  /** The manifests of the servers whose tools the agent sees, at their resolved versions, by server name (see {@link selectToolServers}). */
  readonly servers: ReadonlyMap<string, ServerManifest>;
  /** SKILL.md's whole text (frontmatter and body) for each skill of the closure, by skill name. */
  readonly skills: ReadonlyMap<string, string>;
  /** Each overlay's whole text, by the skill it layers on. */
  readonly overlays: ReadonlyMap<string, string>;
  /** The agent's own system prompt (`evals.runner.system`), or null. */
  readonly system: string | null;
  /** The content address of the agent's eval suite. */
  readonly suiteHash: string;
  /** A content hash of text, such as sha256 in hex. */
  readonly hash: (text: string) => string;
}

/** The input cannot make an agent under test: the closure did not resolve, or a part of it was not read. */
export class AssembleAgentError extends Error {
  readonly agent: string;
  readonly variant: string;
  constructor(agent: string, variant: string, reason: string) {
    super(`cannot run ${agent} at ${variant}: ${reason}`);
    this.name = "AssembleAgentError";
    this.agent = agent;
    this.variant = variant;
  }
}

/**
 * Puts one variant of an agent together: the model, the system prompt, every resolved skill
 * (SKILL.md's body at its resolved version, with the agent's overlay applied), every tool of
 * the given servers, and a content address of it all.
 *
 * The key covers what the variant runs with and the suite's hash, not the variant's label
 * or ref: two variants that run the same thing have the same key, so their results can be
 * shared. Throws {@link AssembleAgentError} when the closure is unsatisfiable, the model did
 * not resolve, or a skill or server of the closure is missing from the input (the caller
 * checks the closure first; a missing text is the reader's bug).
 */
export function assembleAgent(input: AssembleAgentInput): AgentUnderTest {
  const { agent, closure, variant } = input;
  const fail = (reason: string) => new AssembleAgentError(agent.name, variant.label, reason);
  if (closure.status !== "ok") throw fail("its dependencies do not resolve");
  if (closure.model.id === null) throw fail(`its model \`${closure.model.ref}\` does not resolve to a model id`);

  const skills: AgentSkill[] = closure.assets
    .filter((entry) => entry.asset.startsWith("skill:"))
    .map((entry) => {
      const name = entry.asset.slice("skill:".length);
      const text = input.skills.get(name);
      if (text === undefined) throw fail(`the text of skill ${name}@${entry.version} was not read`);
      const body = splitFrontmatter(text).body;
      const overlay = input.overlays.get(name);
      return { name, version: entry.version, body: overlay === undefined ? body : applyOverlay(body, splitFrontmatter(overlay).body) };
    })
    .sort((a, b) => byText(a.name, b.name));

  const tools: AgentTool[] = [...input.servers]
    .flatMap(([server, manifest]) => {
      if (!closure.assets.some((entry) => entry.asset === `server:${server}` && entry.version === manifest.version)) {
        throw fail(`server ${server}@${manifest.version} is not in its closure`);
      }
      return manifest.tools.map((tool) => ({ server, name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
    })
    .sort((a, b) => byText(a.server, b.server) || byText(a.name, b.name));

  const runner = agent.manifest.evals?.runner ?? { type: "builtin" as const, maxTurns: 10 };
  const content = {
    agent: { name: agent.name, team: agent.team, tier: agent.tier },
    assets: closure.assets.map(({ asset, version, contentHash }) => ({ asset, version, contentHash })),
    model: closure.model.id,
    system: input.system,
    skills,
    tools,
    runner,
    suite: input.suiteHash,
  };
  return {
    agent: content.agent,
    variant: { label: variant.label, ref: variant.ref, assets: content.assets },
    model: content.model,
    system: content.system,
    skills,
    tools,
    runner,
    key: input.hash(canonicalJson(content)),
  };
}

/**
 * The servers whose tools an agent sees: the ones it names and the ones its skills require,
 * at their resolved versions. A server reached only through another server's `dependsOn`
 * is that server's backend, not the agent's tool.
 */
export function selectToolServers(agent: Pick<AgentFacts, "requirements">, versionOf: (asset: AssetId) => AssetVersion | undefined): string[] {
  const servers = new Set<string>();
  const seen = new Set<AssetId>();
  const queue = agent.requirements.map((requirement) => requirement.asset);
  while (queue.length > 0) {
    const asset = queue.pop()!;
    if (seen.has(asset)) continue;
    seen.add(asset);
    if (asset.startsWith("server:")) {
      servers.add(asset.slice("server:".length));
      continue;
    }
    for (const requirement of versionOf(asset)?.requires ?? []) queue.push(requirement.asset);
  }
  return [...servers].sort(byText);
}

