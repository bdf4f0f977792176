import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ParseMemo } from "../core/registry/build-registry-history.ts";
import type { AgentDraft, AssetVersionDraft, Parsed } from "../core/registry/parse-manifests.ts";
import { AGENT_MANIFEST, type AgentMemo } from "../core/registry/build-agent.ts";
import type { Problem } from "../core/problems.ts";

/** Bumped whenever what a parse produces changes shape; with blastgate's version, it keys the cache. */
const CACHE_FORMAT = 1;

type AgentDraftParse = { draft: AgentDraft | null; problems: Problem[] };
/**
 * An agent parse as JSON, compact: every location in a draft is the repo's agent.yaml,
 * so locations are left out and put back from the repo (the first part of the key).
 */
type StoredAgent = {
  draft: {
    facts: Omit<AgentDraft["facts"], "source" | "repo" | "requirements"> & { requirements: Omit<AgentDraft["facts"]["requirements"][number], "source">[] };
    overlayPaths: [string, { path: string; line: number }][];
  } | null;
  problems: Problem[];
};

function storeAgent(parse: AgentDraftParse): StoredAgent {
  if (!parse.draft) return { draft: null, problems: parse.problems };
  const { source: _source, repo: _repo, requirements, ...facts } = parse.draft.facts;
  return {
    draft: { facts: { ...facts, requirements: requirements.map(({ source: _at, ...requirement }) => requirement) }, overlayPaths: [...parse.draft.overlayPaths] },
    problems: parse.problems,
  };
}

function loadAgent(key: string, stored: StoredAgent): AgentDraftParse {
  if (!stored.draft) return { draft: null, problems: stored.problems };
  const repo = key.slice(0, key.indexOf("\0"));
  const source = { repo, path: AGENT_MANIFEST };
  const facts = { ...stored.draft.facts, repo, source, requirements: stored.draft.facts.requirements.map((requirement) => ({ ...requirement, source })) };
  return { draft: { facts, overlayPaths: new Map(stored.draft.overlayPaths) }, problems: stored.problems };
}

interface CacheFile {
  readonly format: number;
  readonly version: string;
  readonly registry: Record<string, Parsed<AssetVersionDraft>>;
  readonly agents: Record<string, StoredAgent>;
}

/** Parses kept between runs: registry manifests by blob id (published tags never change), agent manifests by content hash. */
export interface ParseCache {
  readonly registry: ParseMemo;
  readonly agents: AgentMemo;
  /** Writes what this run used (and only that, so the file does not grow without bound). */
  save(): Promise<void>;
}

/** A cache that keeps nothing: every run parses everything. */
export function noParseCache(): ParseCache {
  return { registry: new Map(), agents: new Map(), save: async () => {} };
}

/**
 * Opens the parse cache for one org (`key`: the registry and agent folders) in `dir`.
 * A missing, unreadable or stale file (another blastgate version) starts empty; the
 * cache is an optimisation, never a source of truth, so its failures are not errors.
 */
export async function openParseCache(dir: string, key: string, version: string): Promise<ParseCache> {
  const file = path.join(dir, `parses-${createHash("sha1").update(key).digest("hex").slice(0, 16)}.json`);
  const stored = await readFile(file, "utf8")
    .then((text) => JSON.parse(text) as CacheFile)
    .catch(() => null);
  const fresh = stored !== null && stored.format === CACHE_FORMAT && stored.version === version;
  const registryIn = new Map(Object.entries(fresh ? stored.registry : {}));
  const agentsIn = new Map(Object.entries(fresh ? stored.agents : {}));
  const registryUsed = new Map<string, Parsed<AssetVersionDraft>>();
  const agentsUsed = new Map<string, AgentDraftParse>();
  let changed = !fresh;

  const registry: ParseMemo = {
    has: (key) => registryUsed.has(key) || registryIn.has(key),
    get(key) {
      const found = registryUsed.get(key) ?? registryIn.get(key);
      if (found) registryUsed.set(key, found);
      return found;
    },
    set(key, value) {
      registryUsed.set(key, value);
      changed = true;
    },
  };
  const agents: AgentMemo = {
    get(key) {
      const used = agentsUsed.get(key);
      if (used) return used;
      const found = agentsIn.get(key);
      if (!found) return undefined;
      const parse = loadAgent(key, found);
      agentsUsed.set(key, parse);
      return parse;
    },
    set(key, value) {
      agentsUsed.set(key, value);
      changed = true;
    },
  };
  return {
    registry,
    agents,
    async save() {
      if (!changed && registryUsed.size === registryIn.size && agentsUsed.size === agentsIn.size) return;
      const out: CacheFile = {
        format: CACHE_FORMAT,
        version,
        registry: Object.fromEntries(registryUsed),
        agents: Object.fromEntries([...agentsUsed].map(([key, parse]): [string, StoredAgent] => [key, storeAgent(parse)])),
      };
      // Written whole, then renamed: a reader never sees half a file, and two runs at once cost a parse, not a crash.
      await mkdir(dir, { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(out));
      await rename(temporary, file);
    },
  };
}
