import path from "node:path";
import type { GatePolicy } from "../core/gate/parse-gate-policy.ts";
import type { Problem } from "../core/problems.ts";
import type { Locate } from "../core/report/locate-report.ts";
import { buildOrgFacts, type OrgFacts } from "../core/registry/build-org-facts.ts";
import type { AgentFacts } from "../core/registry/model.ts";
import type { RegistryHistory, TreeSnapshot } from "../core/registry/registry-state.ts";
import { noParseCache, openParseCache, type ParseCache } from "../load/parse-cache.ts";
import { readAgents } from "../load/read-agents.ts";
import { readRegistryAt, readRegistryChange, type ReadMemo } from "../load/read-registry.ts";
import type { CliIo } from "./cli-io.ts";

/** The folder given is a git repository but not a registry's root; `problem` says why, once. */
export class NotARegistryError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.message);
    this.name = "NotARegistryError";
    this.problem = problem;
  }
}

/** What the commands read: absolute folders. */
export interface OrgSources {
  readonly registry: string;
  readonly agents: readonly string[];
}

/** A registry change and the agents, as facts, with every problem met while reading. */
export type LoadedChange = OrgFacts;

/** A registry at one ref and the agents, as facts. */
export interface LoadedRegistry {
  readonly tags: RegistryHistory["tags"];
  readonly leftOut: RegistryHistory["leftOut"];
  readonly tree: TreeSnapshot;
  readonly agents: readonly AgentFacts[];
  readonly policy: GatePolicy;
  readonly problems: readonly Problem[];
  readonly refused: number;
}

/** What the registry reader looks up in the cache before asking git: known parses, and what object names point at. */
function memoOf(cache: ParseCache): ReadMemo {
  return { known: (key) => cache.registry.has(key), objects: cache.objects, texts: cache.texts };
}

/** Reads a registry change (git) and the agents (disk); the core builds their facts. The gate policy is the base ref's. */
export async function loadChange(sources: OrgSources, refs: { base: string; head: string }, cache: ParseCache = noParseCache()): Promise<LoadedChange> {
  const [registry, agents] = await Promise.all([readRegistryChange(sources.registry, refs, memoOf(cache)), readAgents(sources.agents, cache.agents)]);
  const built = buildOrgFacts({ registry: registry.read, policy: registry.policy, agents }, cache.registry);
  if (built.kind === "not-a-registry") throw new NotARegistryError(built.problem);
  return built.facts;
}

/** Reads a registry at one ref (`WORKTREE` for the working tree) and the agents. The gate policy is that ref's. */
export async function loadAt(sources: OrgSources, ref: string, cache: ParseCache = noParseCache()): Promise<LoadedRegistry> {
  const [registry, agents] = await Promise.all([readRegistryAt(sources.registry, ref, memoOf(cache)), readAgents(sources.agents, cache.agents)]);
  const { tree, ...rest } = registry.read;
  const built = buildOrgFacts({ registry: { ...rest, base: tree, head: tree }, policy: registry.policy, agents }, cache.registry);
  if (built.kind === "not-a-registry") throw new NotARegistryError(built.problem);
  const { history, ...facts } = built.facts;
  return { ...facts, tags: history.tags, leftOut: history.leftOut, tree: history.head };
}

/** The folders a command names, resolved against its working directory once: readers get absolute paths. */
export function sourcesOf(options: { readonly registry: string; readonly agents: readonly string[] }, io: { readonly cwd: string }): OrgSources {
  return { registry: path.resolve(io.cwd, options.registry), agents: options.agents.map((dir) => path.resolve(io.cwd, dir)) };
}

/** A path with a `.` or `..` segment, or an empty one: not normalised. */
const UNNORMALISED = /[\\/]\.{1,2}(?:[\\/]|$)|[\\/]{2}/;

/**
 * How the command line shows locations: relative to the directory it runs in. A report
 * names thousands of agent repos side by side in one folder, so the relative path of each
 * parent folder is worked out once, and a file's path only when it is read.
 */
export function locateFrom(cwd: string): Locate {
  const from = path.resolve(cwd);
  const parents = new Map<string, string>();
  const showRepo = (repo: string): string => {
    const parent = path.dirname(repo);
    const name = path.basename(repo);
    // Only for a normalised absolute path that neither is nor holds `cwd`; anything else the slow, sure way.
    const plain = name !== "" && path.isAbsolute(repo) && parent + (parent.endsWith(path.sep) ? "" : path.sep) + name === repo && !UNNORMALISED.test(repo);
    if (!plain || repo === from || from.startsWith(repo + path.sep)) return path.relative(from, repo) || ".";
    let shown = parents.get(parent);
    if (shown === undefined) parents.set(parent, (shown = path.relative(from, parent)));
    return shown === "" ? name : `${shown}${path.sep}${name}`;
  };
  return (location) => ({
    repo: showRepo(location.repo),
    get file() {
      return path.relative(from, path.join(location.repo, location.path)) || ".";
    },
  });
}

/**
 * The parse cache, when the command line keeps one: one file in the cache folder, shared
 * by every org and checkout (its entries are keyed by content, not by path).
 */
export async function openCache(io: Pick<CliIo, "cache" | "today">): Promise<ParseCache> {
  if (!io.cache) return noParseCache();
  return openParseCache(io.cache.dir, io.cache.codeId, io.today);
}

/** Keeps this run's parses for the next; a cache that cannot be written only costs the next run its parses. */
export async function saveCache(cache: ParseCache): Promise<void> {
  await cache.save().catch(() => undefined);
}

/** What a command reads an org with: the folders it names, resolved against its working directory, and the cache. */
async function withCache<T>(options: { readonly registry: string; readonly agents: readonly string[] }, io: CliIo, load: (sources: OrgSources, cache: ParseCache) => Promise<T>): Promise<T> {
  const cache = await openCache(io);
  const loaded = await load(sourcesOf(options, io), cache);
  await saveCache(cache);
  return loaded;
}

/** A command's registry change and agents, read through the parse cache. */
export function readChangeFor(options: { readonly registry: string; readonly agents: readonly string[] }, io: CliIo, refs: { base: string; head: string }): Promise<LoadedChange> {
  return withCache(options, io, (sources, cache) => loadChange(sources, refs, cache));
}

/** A command's registry at one ref and agents, read through the parse cache. */
export function readAtFor(options: { readonly registry: string; readonly agents: readonly string[] }, io: CliIo, ref: string): Promise<LoadedRegistry & { readonly sources: OrgSources }> {
  return withCache(options, io, async (sources, cache) => ({ ...(await loadAt(sources, ref, cache)), sources }));
}
