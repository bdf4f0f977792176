import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ParseMemo } from "../core/registry/build-registry-history.ts";
import type { AgentDraft, AssetVersionDraft, Parsed } from "../core/registry/parse-manifests.ts";
import { AGENT_MANIFEST, type AgentMemo } from "../core/registry/build-agent.ts";
import type { Problem } from "../core/problems.ts";

/** Bumped whenever what a parse produces, or the file's layout, changes shape; with the code id, it keys the cache. */
const CACHE_FORMAT = 2;

/** The one file a cache folder holds, shared by every org parsed with it. */
export const CACHE_FILE = "parses.json";

/** Entries not used for this many days are dropped when the file is written. */
export const MAX_AGE_DAYS = 30;

/** What the files of the first format were named: one per set of folders, so each checkout added one. */
const LEGACY_FILE = /^parses-[0-9a-f]{16}\.json$/;

type AgentDraftParse = { draft: AgentDraft | null; problems: Problem[] };
/**
 * An agent parse as JSON, compact and free of paths: every location in a draft is some
 * repo's agent.yaml, and `parseAgentRepo` places a remembered parse in the repo it reads,
 * so locations are left out here.
 */
type StoredAgent = {
  draft: {
    facts: Omit<AgentDraft["facts"], "source" | "repo" | "requirements"> & { requirements: Omit<AgentDraft["facts"]["requirements"][number], "source">[] };
    overlayPaths: [string, { path: string; line: number }][];
  } | null;
  problems: Problem[];
};

/** Where a stored agent parse stands until `parseAgentRepo` places it: nowhere. */
const NOWHERE = { repo: "", path: AGENT_MANIFEST };

function storeAgent(parse: AgentDraftParse): StoredAgent {
  const problems = parse.problems.map((problem) => ({ ...problem, repo: NOWHERE.repo }));
  if (!parse.draft) return { draft: null, problems };
  const { source: _source, repo: _repo, requirements, ...facts } = parse.draft.facts;
  return {
    draft: { facts: { ...facts, requirements: requirements.map(({ source: _at, ...requirement }) => requirement) }, overlayPaths: [...parse.draft.overlayPaths] },
    problems,
  };
}

function loadAgent(stored: StoredAgent): AgentDraftParse {
  if (!stored.draft) return { draft: null, problems: stored.problems };
  const facts = { ...stored.draft.facts, repo: NOWHERE.repo, source: NOWHERE, requirements: stored.draft.facts.requirements.map((requirement) => ({ ...requirement, source: NOWHERE })) };
  return { draft: { facts, overlayPaths: new Map(stored.draft.overlayPaths) }, problems: stored.problems };
}

/** The entries last used on one day. */
interface DayEntries {
  readonly registry: Record<string, Parsed<AssetVersionDraft>>;
  readonly agents: Record<string, StoredAgent>;
}

/**
 * The file: entries grouped by the day they were last used (YYYY-MM-DD), so a day costs
 * its key once rather than once per entry, and eviction drops whole days.
 */
interface CacheFile {
  readonly format: number;
  readonly version: string;
  readonly days: Record<string, DayEntries>;
}

/** Parses kept between runs, by content alone: registry manifests by kind, name and blob id (published tags never change), agent manifests by content hash. */
export interface ParseCache {
  readonly registry: ParseMemo;
  readonly agents: AgentMemo;
  /** Writes the file back: what this run used, marked used today, and what other runs used within `MAX_AGE_DAYS`. */
  save(): Promise<void>;
}

/** A cache that keeps nothing: every run parses everything. */
export function noParseCache(): ParseCache {
  return { registry: new Map(), agents: new Map(), save: async () => {} };
}

/** Whether an entry last used on `day` is still kept `today`: used within `MAX_AGE_DAYS` (a day in the future, from a skewed clock, too). */
function isRecent(day: string, today: string): boolean {
  const age = (Date.parse(today) - Date.parse(day)) / 86_400_000;
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && age < MAX_AGE_DAYS;
}

/** The file's entries by day, or null when it is missing, unreadable, or written by other code or another format. */
async function readDays(file: string, codeId: string): Promise<Record<string, DayEntries> | null> {
  const stored = await readFile(file, "utf8")
    .then((text) => JSON.parse(text) as Partial<CacheFile> | null)
    .catch(() => null);
  if (stored?.format !== CACHE_FORMAT || stored.version !== codeId || !isObject(stored.days)) return null;
  // A damaged day (a hand edit, a disk error) is dropped rather than failing the run.
  return Object.fromEntries(Object.entries(stored.days).filter(([, entries]) => isObject(entries) && isObject(entries.registry) && isObject(entries.agents)));
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/**
 * Opens the parse cache in `dir`: one file, shared by every org and checkout that uses
 * the folder, since its entries are keyed by content alone. `codeId` names the code that
 * parses (a file written by other code starts empty); `today` (YYYY-MM-DD) marks the
 * entries this run uses. A missing, unreadable or stale file starts empty: the cache is
 * an optimisation, never a source of truth, so its failures are not errors.
 */
export async function openParseCache(dir: string, codeId: string, today: string): Promise<ParseCache> {
  const file = path.join(dir, CACHE_FILE);
  const stored = await readDays(file, codeId);
  const days = Object.entries(stored ?? {}).filter(([day]) => isRecent(day, today));
  const registryIn = new Map<string, Parsed<AssetVersionDraft>>();
  const agentsIn = new Map<string, StoredAgent>();
  for (const [, entries] of days) {
    for (const [key, value] of Object.entries(entries.registry)) registryIn.set(key, value);
    for (const [key, value] of Object.entries(entries.agents)) agentsIn.set(key, value);
  }
  const usedToday = stored?.[today];
  const registryUsed = new Map<string, Parsed<AssetVersionDraft>>();
  const agentsUsed = new Map<string, AgentDraftParse>();
  /** The stored form of each agent entry this run used (as read, or as this run parsed it). */
  const agentsKept = new Map<string, StoredAgent>();
  // The file is rewritten only when it would differ: new parses, expired days, or entries last used before today.
  let changed = stored === null || days.length !== Object.keys(stored).length;

  const registry: ParseMemo = {
    has: (key) => registryUsed.has(key) || registryIn.has(key),
    get(key) {
      const used = registryUsed.get(key);
      if (used) return used;
      const found = registryIn.get(key);
      if (!found) return undefined;
      registryUsed.set(key, found);
      if (!usedToday || !Object.hasOwn(usedToday.registry, key)) changed = true;
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
      const parse = loadAgent(found);
      agentsUsed.set(key, parse);
      agentsKept.set(key, found);
      if (!usedToday || !Object.hasOwn(usedToday.agents, key)) changed = true;
      return parse;
    },
    set(key, value) {
      agentsUsed.set(key, value);
      agentsKept.set(key, storeAgent(value));
      changed = true;
    },
  };
  return {
    registry,
    agents,
    async save() {
      if (!changed) return;
      // Entries this run did not use keep the day they were last used; the rest are today's.
      const out: Record<string, DayEntries> = {};
      for (const [day, entries] of days) {
        const registry = Object.entries(entries.registry).filter(([key]) => !registryUsed.has(key));
        const agents = Object.entries(entries.agents).filter(([key]) => !agentsKept.has(key));
        if (registry.length + agents.length > 0) out[day] = { registry: Object.fromEntries(registry), agents: Object.fromEntries(agents) };
      }
      if (registryUsed.size + agentsKept.size > 0) {
        out[today] = {
          registry: { ...out[today]?.registry, ...Object.fromEntries(registryUsed) },
          agents: { ...out[today]?.agents, ...Object.fromEntries(agentsKept) },
        };
      }
      const content: CacheFile = { format: CACHE_FORMAT, version: codeId, days: out };
      // Written whole, then renamed: a reader never sees half a file, and two runs at once
      // (in two containers sharing the folder, perhaps with the same pid) cost a parse, not a crash.
      await mkdir(dir, { recursive: true });
      const temporary = `${file}.${randomUUID()}.tmp`;
      try {
        await writeFile(temporary, JSON.stringify(content));
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      await removeLegacyFiles(dir);
    },
  };
}

/** Files of the first format, one per checkout path, that nothing reads any more. */
async function removeLegacyFiles(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => []);
  await Promise.all(names.filter((name) => LEGACY_FILE.test(name)).map((name) => rm(path.join(dir, name), { force: true }).catch(() => undefined)));
}
