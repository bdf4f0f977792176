import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ParseMemo } from "../core/registry/build-registry-history.ts";
import type { AgentDraft, AssetVersionDraft, Parsed } from "../core/registry/parse-manifests.ts";
import { AGENT_MANIFEST, type AgentMemo } from "../core/registry/build-agent.ts";
import type { AssetId, Requirement } from "../core/registry/model.ts";
import type { Problem, SourceLocation } from "../core/problems.ts";
import type { ObjectInfo, ObjectMemo, TextMemo } from "./read-registry.ts";

/** Bumped whenever what a parse produces, or the file's layout, changes shape; with the code id, it keys the cache. */
const CACHE_FORMAT = 3;

/** The one file a cache folder holds, shared by every org parsed with it. */
export const CACHE_FILE = "parses.json";

/** Entries not used for this many days are dropped when the file is written. */
export const MAX_AGE_DAYS = 30;

/** What the files of the first format were named: one per set of folders, so each checkout added one. */
const LEGACY_FILE = /^parses-[0-9a-f]{16}\.json$/;

/**
 * Parses are stored free of locations: the core places every remembered parse at the
 * file it reads (`relocate`, `placeAgent`), so a stored source would be overwritten. What
 * a stored parse stands at until then: nowhere.
 */
const NOWHERE: SourceLocation = { repo: "", path: "" };
const NOWHERE_AGENT: SourceLocation = { repo: "", path: AGENT_MANIFEST };

/** A requirement as a tuple: the file holds tens of thousands, and their keys were a third of it. */
type StoredRequirement = [asset: string, range: string, line: number];

function storeRequirement(requirement: Requirement): StoredRequirement {
  const { asset, range, line, source: _source, ...rest } = requirement;
  // A field added to Requirement must be stored too: this fails to compile until it is.
  const nothingElse: Record<string, never> = rest;
  void nothingElse;
  return [asset, range, line];
}

function loadRequirement([asset, range, line]: StoredRequirement, source: SourceLocation): Requirement {
  return { asset: asset as AssetId, range, line, source };
}

/** A problem of a stored parse, its place left blank (the core fills it in). */
function storeProblem(problem: Problem): Problem {
  const { ref: _ref, ...rest } = problem;
  return { ...rest, repo: NOWHERE.repo, path: NOWHERE.path };
}

type AgentDraftParse = { draft: AgentDraft | null; problems: Problem[] };
/** An agent parse as JSON, compact and free of paths. */
type StoredAgent = {
  draft: {
    facts: Omit<AgentDraft["facts"], "source" | "repo" | "requirements"> & { requirements: StoredRequirement[] };
    overlayPaths: [string, { path: string; line: number }][];
  } | null;
  problems: Problem[];
};

function storeAgent(parse: AgentDraftParse): StoredAgent {
  const problems = parse.problems.map(storeProblem);
  if (!parse.draft) return { draft: null, problems };
  const { source: _source, repo: _repo, requirements, ...facts } = parse.draft.facts;
  return { draft: { facts: { ...facts, requirements: requirements.map(storeRequirement) }, overlayPaths: [...parse.draft.overlayPaths] }, problems };
}

function loadAgent(stored: StoredAgent): AgentDraftParse | undefined {
  if (!isObject(stored) || !Array.isArray(stored.problems)) return undefined;
  if (!stored.draft) return { draft: null, problems: stored.problems };
  const { requirements, ...facts } = stored.draft.facts;
  const placed = { ...facts, repo: NOWHERE_AGENT.repo, source: NOWHERE_AGENT, requirements: requirements.map((requirement) => loadRequirement(requirement, NOWHERE_AGENT)) };
  return { draft: { facts: placed, overlayPaths: new Map(stored.draft.overlayPaths) }, problems: stored.problems };
}

/** A registry manifest's parse as JSON, compact and free of paths. */
type StoredParse = {
  value: (Omit<AssetVersionDraft, "source" | "requires"> & { requires: StoredRequirement[] }) | null;
  problems: Problem[];
};

function storeParse(parse: Parsed<AssetVersionDraft>): StoredParse {
  const problems = parse.problems.map(storeProblem);
  if (!parse.value) return { value: null, problems };
  const { source: _source, requires, ...value } = parse.value;
  return { value: { ...value, requires: requires.map(storeRequirement) }, problems };
}

function loadParse(stored: StoredParse): Parsed<AssetVersionDraft> | undefined {
  if (!isObject(stored) || !Array.isArray(stored.problems)) return undefined;
  if (!stored.value) return { value: null, problems: stored.problems };
  const { requires, ...value } = stored.value;
  return { value: { ...value, source: NOWHERE, requires: requires.map((requirement) => loadRequirement(requirement, NOWHERE)) }, problems: stored.problems };
}

/** `cat-file --batch-check`'s answer as one string: `<id> <type> <size>`. */
const STORED_OBJECT = /^([0-9a-f]{40}|[0-9a-f]{64}) (blob|tree|commit|tag) (\d+)$/;

function storeObject(info: ObjectInfo): string {
  return `${info.oid} ${info.type} ${info.size}`;
}

function loadObject(stored: string): ObjectInfo | undefined {
  const match = typeof stored === "string" ? STORED_OBJECT.exec(stored) : null;
  return match ? { oid: match[1]!, type: match[2]!, size: Number(match[3]) } : undefined;
}

/**
 * The entries last used on one day, by section, each as `[key, stored]` pairs: JSON.parse
 * builds arrays faster than objects with thousands of keys, and a Map takes pairs as they are.
 */
interface DayEntries {
  readonly registry: [string, StoredParse][];
  readonly agents: [string, StoredAgent][];
  readonly objects: [string, string][];
  readonly texts: [string, string][];
}

type Section = keyof DayEntries;
const SECTIONS: readonly Section[] = ["registry", "agents", "objects", "texts"];

/**
 * The file: entries grouped by the day they were last used (YYYY-MM-DD), so a day costs
 * its key once rather than once per entry, and eviction drops whole days.
 */
interface CacheFile {
  readonly format: number;
  readonly version: string;
  readonly days: Record<string, DayEntries>;
}

/**
 * Parses kept between runs, by content alone: registry manifests by kind, name and blob id
 * (published tags never change), agent manifests by content hash; what git said each
 * object name (`<id>:<path>`) points at; and the text of small root files by blob id.
 */
export interface ParseCache {
  readonly registry: ParseMemo;
  readonly agents: AgentMemo;
  readonly objects: ObjectMemo;
  readonly texts: TextMemo;
  /** Writes the file back: what this run used, marked used today, and what other runs used within `MAX_AGE_DAYS`. */
  save(): Promise<void>;
}

/** A cache that keeps nothing: every run parses everything. */
export function noParseCache(): ParseCache {
  return { registry: new Map(), agents: new Map(), objects: new Map(), texts: new Map(), save: async () => {} };
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
  return Object.fromEntries(Object.entries(stored.days).filter(([, entries]) => isObject(entries) && SECTIONS.every((section) => Array.isArray(entries[section]))));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** How a section's entries go into the file and come out: `load` gives undefined (or throws) for an entry that is damaged. */
interface Codec<S, V> {
  readonly load: (stored: S) => V | undefined;
  readonly store: (value: V) => S;
}

/**
 * One section of the cache: what the file holds (stored form `S`), and what this run used
 * (as `V`). An entry that does not load (a damaged one) is a miss: it is parsed again and
 * replaced.
 */
class CacheSection<S, V> {
  /** Stored entries last used today; a run that uses only these leaves the file as it is. */
  readonly #today = new Map<string, S>();
  /** Stored entries last used on an earlier day. */
  readonly #earlier = new Map<string, S>();
  readonly #used = new Map<string, V>();
  /** Stored entries `has` loaded, not used yet. */
  readonly #ready = new Map<string, V>();
  /** The stored form of each entry this run made. */
  readonly #made = new Map<string, S>();
  readonly #codec: Codec<S, V>;
  readonly #changed: () => void;

  constructor(days: readonly (readonly [string, DayEntries])[], section: Section, today: string, codec: Codec<S, V>, changed: () => void) {
    for (const [day, entries] of days) {
      const into = day === today ? this.#today : this.#earlier;
      // A pair that is not one (a hand edit) is left out, so its key is a miss.
      for (const pair of entries[section] as unknown[]) if (Array.isArray(pair) && typeof pair[0] === "string") into.set(pair[0], pair[1] as S);
    }
    this.#codec = codec;
    this.#changed = changed;
  }

  /** Whether the section holds a usable entry for `key`, without marking it used. */
  has(key: string): boolean {
    if (this.#used.has(key) || this.#ready.has(key)) return true;
    const value = this.#load(this.#today.get(key) ?? this.#earlier.get(key));
    if (value !== undefined) this.#ready.set(key, value);
    return value !== undefined;
  }

  get(key: string): V | undefined {
    const used = this.#used.get(key);
    if (used !== undefined) return used;
    const stored = this.#today.get(key);
    const value = this.#ready.get(key) ?? this.#load(stored ?? this.#earlier.get(key));
    if (value === undefined) return undefined;
    this.#used.set(key, value);
    // Used today but stored under an earlier day: the file must say so.
    if (stored === undefined) this.#changed();
    return value;
  }

  set(key: string, value: V): void {
    this.#used.set(key, value);
    this.#made.set(key, this.#codec.store(value));
    this.#changed();
  }

  /** The stored form of each entry this run used: as read, or as this run made it. */
  kept(): Map<string, S> {
    const kept = new Map<string, S>();
    for (const key of this.#used.keys()) kept.set(key, this.#made.get(key) ?? this.#today.get(key) ?? this.#earlier.get(key)!);
    return kept;
  }

  #load(stored: S | undefined): V | undefined {
    if (stored === undefined) return undefined;
    try {
      return this.#codec.load(stored);
    } catch {
      return undefined;
    }
  }
}

/**
 * Opens the parse cache in `dir`: one file, shared by every org and checkout that uses
 * the folder, since its entries are keyed by content alone. `codeId` names the code that
 * parses (a file written by other code starts empty); `today` (YYYY-MM-DD) marks the
 * entries this run uses. A missing, unreadable or stale file starts empty, and a damaged
 * entry is a miss: the cache is an optimisation, never a source of truth, so its failures
 * are not errors.
 */
export async function openParseCache(dir: string, codeId: string, today: string): Promise<ParseCache> {
  const file = path.join(dir, CACHE_FILE);
  const stored = await readDays(file, codeId);
  const days = Object.entries(stored ?? {}).filter(([day]) => isRecent(day, today));
  // The file is rewritten only when it would differ: new parses, expired days, or entries last used before today.
  let changed = stored === null || days.length !== Object.keys(stored).length;
  const markChanged = () => void (changed = true);
  const open = <S, V>(section: Section, codec: Codec<S, V>) => new CacheSection<S, V>(days, section, today, codec, markChanged);
  const registry = open<StoredParse, Parsed<AssetVersionDraft>>("registry", { load: loadParse, store: storeParse });
  const agents = open<StoredAgent, AgentDraftParse>("agents", { load: loadAgent, store: storeAgent });
  const objects = open<string, ObjectInfo>("objects", { load: loadObject, store: storeObject });
  const texts = open<string, string>("texts", { load: (text) => (typeof text === "string" ? text : undefined), store: (text) => text });
  const sections: Record<Section, { kept(): Map<string, unknown> }> = { registry, agents, objects, texts };

  return {
    registry: { has: (key) => registry.has(key), get: (key) => registry.get(key), set: (key, value) => registry.set(key, value) },
    agents: { get: (key) => agents.get(key), set: (key, value) => agents.set(key, value) },
    objects: { get: (name) => objects.get(name), set: (name, info) => objects.set(name, info) },
    texts: { get: (oid) => texts.get(oid), set: (oid, text) => texts.set(oid, text) },
    async save() {
      if (!changed) return;
      // Entries this run did not use keep the day they were last used; the rest are today's.
      const kept = SECTIONS.map((section) => [section, sections[section].kept()] as const);
      const out: Record<string, Record<Section, [string, unknown][]>> = {};
      for (const [day, entries] of days) {
        const left = kept.map(([section, used]) => [section, (entries[section] as [string, unknown][]).filter((pair) => Array.isArray(pair) && !used.has(pair[0]))] as const);
        if (left.some(([, pairs]) => pairs.length > 0)) out[day] = Object.fromEntries(left) as Record<Section, [string, unknown][]>;
      }
      if (kept.some(([, used]) => used.size > 0)) {
        out[today] = Object.fromEntries(kept.map(([section, used]) => [section, [...(out[today]?.[section] ?? []), ...used]])) as Record<Section, [string, unknown][]>;
      }
      const content = { format: CACHE_FORMAT, version: codeId, days: out };
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
