/**
 * Benchmarks `blastgate affected` on a large synthetic org (10,000 agents, 500 skills,
 * 200 servers, a few thousand release tags) and compares it with the floor: reading and
 * parsing the same manifests, which any tool must do.
 *
 *   npm run bench                    # generate (or reuse) the org, measure, write bench/results.json
 *   npm run bench -- --fresh         # regenerate the org first
 *   npm run bench -- --only a,b      # measure some of a (core), b (affected), c (floor), p (phases)
 *   npm run bench -- --reps 5 --no-write --agents 2000
 *
 * See bench/README.md for what each figure means.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import semver from "semver";
import { main, type CliIo } from "../app/cli/main.ts";
import { buildAffectedReport } from "../app/core/registry/build-affected-report.ts";
import { computeBlastRadius, type BlastRadius } from "../app/core/registry/compute-blast-radius.ts";
import type { AgentFacts, AssetVersion, Requirement } from "../app/core/registry/model.ts";
import type { Resolution } from "../app/core/registry/resolve-agent.ts";
import { parseAgentManifest, parseModelsConfig, parseServerManifest, parseSkillFile } from "../app/core/registry/parse-manifests.ts";
import { buildRegistryState, type TreeSnapshot } from "../app/core/registry/registry-state.ts";
import { loadChange } from "../app/cli/load-org.ts";
import { readAgents } from "../app/load/read-agents.ts";
import { affectedReportSchema, type AffectedReport } from "../schemas/affected-report.schema.ts";
import { computeReferenceBlastRadius } from "../test/helpers/reference-blast-radius.ts";
import { AGENTS_DIR, BROAD_BRANCH, ensureOrg, REGISTRY_DIR, type OrgSpec } from "./generate-org.ts";

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const TODAY = "2026-05-01";
const GOAL_RATIO = 1.5;
const GOAL_WARM_RATIO = 0.25;

const { values: args } = parseArgs({
  options: {
    fresh: { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
    only: { type: "string", default: "a,b,c,w,m,p" },
    reps: { type: "string" },
    agents: { type: "string", default: "10000" },
    skills: { type: "string", default: "500" },
    servers: { type: "string", default: "200" },
    seed: { type: "string", default: "42" },
  },
});
const only = new Set(args.only.split(","));
const repsOverride = args.reps === undefined ? undefined : Number(args.reps);
const spec: OrgSpec = { agents: Number(args.agents), skills: Number(args.skills), servers: Number(args.servers), seed: Number(args.seed) };

// ---------------------------------------------------------------------------------------
// Measuring

interface Stats {
  readonly reps: number;
  readonly median: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  const middle = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { reps: sorted.length, median: round(middle), p90: round(at(0.9)), min: round(sorted[0]!), max: round(sorted.at(-1)!) };
}

async function measure(label: string, warmup: number, reps: number, run: () => unknown): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  const result = stats(samples);
  log(`  ${label}: median ${fmt(result.median)} ms, p90 ${fmt(result.p90)}, min ${fmt(result.min)} (${reps} reps)`);
  return result;
}

/**
 * Measures several runs round-robin (one of each per round), so that load from other
 * processes on the machine hits them alike and their ratio stays fair.
 */
async function measureInterleaved(runs: readonly { label: string; run: () => unknown }[], warmup: number, reps: number): Promise<Stats[]> {
  for (let i = 0; i < warmup; i++) for (const { run } of runs) await run();
  const samples = runs.map(() => [] as number[]);
  for (let i = 0; i < reps; i++) {
    for (const [index, { run }] of runs.entries()) {
      const started = performance.now();
      await run();
      samples[index]!.push(performance.now() - started);
    }
  }
  return runs.map(({ label }, index) => {
    const result = stats(samples[index]!);
    log(`  ${label}: median ${fmt(result.median)} ms, p90 ${fmt(result.p90)}, min ${fmt(result.min)} (${reps} reps)`);
    return result;
  });
}

function log(line: string): void {
  process.stderr.write(line + "\n");
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

// ---------------------------------------------------------------------------------------
// (c) The floor: read and parse every manifest once, as directly as possible

/**
 * The least any tool answering "which agents does this change affect" must do: read every
 * agent.yaml from disk and parse it; list the release tags and the base and head trees;
 * read every manifest at every tag and at base and head (plus each tagged folder's tree,
 * whose id is the content hash) through one `git cat-file --batch`; parse them all.
 * Nothing is resolved, checked or rendered.
 */
async function floor(root: string, head: string): Promise<{ agents: number; manifests: number }> {
  const [agents, manifests] = await Promise.all([floorAgents(root), floorRegistry(path.join(root, REGISTRY_DIR), head)]);
  return { agents, manifests };
}

async function floorAgents(root: string): Promise<number> {
  const dir = path.join(root, AGENTS_DIR);
  const names = await readdir(dir);
  // Synchronous reads: for thousands of small files the cheapest correct way, as the reader does.
  const parsed = names.map((name) => {
    const text = readFileSync(path.join(dir, name, "agent.yaml"), "utf8");
    return parseAgentManifest({ repo: `${AGENTS_DIR}/${name}`, path: "agent.yaml", text }, `${AGENTS_DIR}/${name}`).value !== null;
  });
  return parsed.filter(Boolean).length;
}

async function floorRegistry(registry: string, head: string): Promise<number> {
  const git = async (gitArgs: string[]) => (await execFileAsync("git", gitArgs, { cwd: registry, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" })).stdout;
  const folders = (listing: string) =>
    listing
      .split("\0")
      .filter(Boolean)
      .map((line) => line.slice(line.indexOf("\t") + 1));
  const [tagList, baseList, headList] = await Promise.all([
    git(["for-each-ref", "--format=%(refname:strip=2)", "refs/tags/servers/", "refs/tags/skills/"]),
    git(["ls-tree", "-z", "main", "--", "servers/", "skills/"]),
    git(["ls-tree", "-z", head, "--", "servers/", "skills/"]),
  ]);
  type Wanted = { name: string; folder: string; manifest: boolean };
  const wanted: Wanted[] = [];
  const addManifest = (rev: string, folder: string) => {
    const manifest = folder.startsWith("servers/") ? "server.yaml" : "SKILL.md";
    wanted.push({ name: `${rev}:${folder}/${manifest}`, folder, manifest: true });
  };
  for (const tag of tagList.split("\n").filter(Boolean)) {
    const at = tag.lastIndexOf("@");
    const folder = tag.slice(0, at);
    wanted.push({ name: `refs/tags/${tag}:${folder}`, folder, manifest: false });
    addManifest(`refs/tags/${tag}`, folder);
  }
  for (const folder of folders(baseList)) addManifest("main", folder);
  for (const folder of folders(headList)) addManifest(head, folder);
  wanted.push({ name: "main:models.yaml", folder: "", manifest: true }, { name: `${head}:models.yaml`, folder: "", manifest: true });

  // Object ids first (a folder's tree id is its content hash; nothing more is needed of it),
  // then each distinct manifest blob read and parsed once: releases share unchanged files.
  const ids = await catFileBatchCheck(registry, wanted.map((item) => item.name));
  const first = new Map<string, Wanted>();
  ids.forEach((id, index) => {
    const item = wanted[index]!;
    if (id === null) throw new Error(`floor: ${item.name} is missing`);
    if (item.manifest && !first.has(id)) first.set(id, item);
  });
  const distinct = [...first];
  const objects = await catFileBatch(registry, distinct.map(([id]) => id));
  let parsed = 0;
  objects.forEach((object, index) => {
    const item = distinct[index]![1];
    if (object === null) throw new Error(`floor: ${item.name} is missing`);
    const text = object.toString("utf8");
    const file = { repo: ".", path: item.name.slice(item.name.indexOf(":") + 1), ref: item.name.slice(0, item.name.indexOf(":")), text };
    const name = item.folder.slice(item.folder.indexOf("/") + 1);
    const result = item.folder === "" ? parseModelsConfig(file) : item.folder.startsWith("servers/") ? parseServerManifest(file, name) : parseSkillFile(file, name);
    if (result.value === null) throw new Error(`floor: ${item.name} did not parse`);
    parsed++;
  });
  return parsed;
}

/** One `git cat-file --batch-check` for all names; returns each object's id (null when missing). */
function catFileBatchCheck(cwd: string, names: readonly string[]): Promise<(string | null)[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch-check=%(objectname)"], { cwd, stdio: ["pipe", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`git cat-file exited with ${code}`));
      const lines = Buffer.concat(chunks).toString("latin1").split("\n").slice(0, names.length);
      resolve(lines.map((line) => (line.endsWith(" missing") ? null : line)));
    });
    child.stdin.end(names.join("\n") + "\n");
  });
}

/** One `git cat-file --batch` for all names; returns each object's content (null when missing). */
function catFileBatch(cwd: string, names: readonly string[]): Promise<(Buffer | null)[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd, stdio: ["pipe", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`git cat-file exited with ${code}`));
      const output = Buffer.concat(chunks);
      const results: (Buffer | null)[] = [];
      let offset = 0;
      for (let i = 0; i < names.length; i++) {
        const end = output.indexOf(0x0a, offset);
        const header = output.toString("latin1", offset, end);
        offset = end + 1;
        if (header.endsWith(" missing")) {
          results.push(null);
          continue;
        }
        const size = Number(header.slice(header.lastIndexOf(" ") + 1));
        results.push(output.subarray(offset, offset + size));
        offset += size + 1;
      }
      resolve(results);
    });
    child.stdin.end(names.join("\n") + "\n");
  });
}

/**
 * A head tree with a minor bump (new content) of one little-used skill: one that no other
 * asset requires, with about 1% of the agents as direct consumers.
 */
function narrowChange(base: TreeSnapshot, agents: readonly AgentFacts[]): { tree: TreeSnapshot; label: string } {
  const required = new Set([...base.assets.values()].flatMap((version) => version.requires.map((requirement) => requirement.asset)));
  const direct = new Map<string, number>();
  for (const agent of agents) for (const requirement of agent.requirements) direct.set(requirement.asset, (direct.get(requirement.asset) ?? 0) + 1);
  const target = Math.max(1, Math.round(agents.length / 100));
  const [skill] = [...base.assets.values()]
    .filter((version) => version.kind === "skill" && !required.has(version.id))
    .sort((a, b) => Math.abs((direct.get(a.id) ?? 0) - target) - Math.abs((direct.get(b.id) ?? 0) - target) || a.id.localeCompare(b.id));
  if (!skill) return { tree: base, label: "no leaf skill" };
  const next = semver.inc(skill.version, "minor")!;
  const assets = new Map(base.assets);
  assets.set(skill.id, { ...skill, version: next, contentHash: "0".repeat(40), origin: "head" });
  return { tree: { ...base, assets }, label: `${skill.name} ${skill.version}→${next}, ${direct.get(skill.id) ?? 0} direct consumers` };
}

/**
 * A digest of everything a blast radius holds, in order: the affected and held-back
 * entries, problems, changed assets, consumer counts, and every resolution (each asset's
 * version, content, ranges with where they are written, edges; conflicts; the model).
 * Two cores that give the same digest give the same report.
 */
function digestRadius(radius: BlastRadius): string {
  const hash = createHash("sha256");
  const requirement = (r: Requirement) => `${r.asset} ${r.range} ${r.source.repo}/${r.source.path}@${r.source.ref ?? ""}:${r.line}`;
  const version = (v: AssetVersion) => `${v.id}@${v.version}#${v.contentHash}:${v.origin}:${v.source.repo}/${v.source.path}@${v.source.ref ?? ""}`;
  const resolution = (r: Resolution) =>
    JSON.stringify([
      r.status,
      r.model,
      [...r.assets].map(([id, resolved]) => [id, version(resolved.version), resolved.ranges.map(requirement), resolved.edges]),
      r.conflicts.map((conflict) => [conflict.asset, conflict.ranges.map(requirement), conflict.available]),
    ]);
  hash.update(JSON.stringify([radius.affected, radius.unaffected, radius.problems, [...radius.changedAssets], [...radius.consumers]]));
  for (const [name, pair] of radius.resolutions) hash.update(`${name}\n${resolution(pair.base)}\n${resolution(pair.head)}\n`);
  return hash.digest("hex");
}

// ---------------------------------------------------------------------------------------
// Run

async function run(): Promise<void> {
  const org = ensureOrg(spec, args.fresh, log);
  const { root, info } = org;
  log(org.reused ? `reusing the generated org (generator v${info.generator})` : `generated the org in ${fmt(org.generateMs)} ms`);
  const gitVersion = execFileSync("git", ["--version"], { encoding: "utf8" }).trim().replace(/^git version /, "");

  // The parsed input for (a), and a reference report to check the others against.
  const { history, agents, problems: loadProblems } = await loadChange({ registry: path.join(root, REGISTRY_DIR), agents: [path.join(root, AGENTS_DIR)] }, { base: "main", head: "change" });
  const reference = buildAffectedReport({ history, agents, loadProblems, refs: { base: "main", head: "change" }, today: TODAY });
  const core = () => computeBlastRadius(buildRegistryState(history.tags, history.base), buildRegistryState(history.tags, history.head), agents);
  const radius = core();
  if (radius.affected.length !== reference.summary.affected) throw new Error("computeBlastRadius and buildAffectedReport disagree on the affected count");
  const tagVersions = [...history.tags.values()].reduce((sum, list) => sum + list.length, 0);
  log(
    `org: ${agents.length} agents, ${history.base.assets.size} assets at base, ${tagVersions} tagged versions; ` +
      `change: ${info.change.skill.name} ${info.change.skill.from}→${info.change.skill.to}, ${info.change.server.name} ${info.change.server.from}→${info.change.server.to}`,
  );
  if (loadProblems.length > 0) log(`note: ${loadProblems.length} load problems (the generated org should have none)`);

  // `head` null: the working tree as head.
  const affectedArgs = (head: string | null) => ["affected", "--registry", REGISTRY_DIR, "--agents", AGENTS_DIR, "--base", "main", ...(head ? ["--head", head] : []), "--format", "json"];
  // A parse cache for the warm runs (w), in the org's folder: filled by the first warm run, reused after.
  const cacheDir = path.join(root, "parse-cache");
  rmSync(cacheDir, { recursive: true, force: true });
  const cli = async (head: string | null, keep?: (text: string) => void, cache?: string) => {
    let bytes = 0;
    const io: CliIo = {
      stdout: (text) => ((bytes += text.length), keep?.(text)),
      stderr: (text) => void (bytes += text.length),
      cwd: root,
      today: TODAY,
      ...(cache ? { cache: { dir: cache, codeId: "bench" } } : {}),
    };
    const code = await main(affectedArgs(head), io);
    if (code === 2) throw new Error("blastgate affected exited with a usage error");
    return bytes;
  };
  // Check the CLI says what the core says, in both head modes.
  let output = "";
  await cli("change", (text) => (output += text));
  const viaCli = JSON.parse(output) as AffectedReport;
  output = "";
  await cli(null, (text) => (output += text));
  const viaWorktree = JSON.parse(output) as AffectedReport;
  if (viaCli.summary.affected !== reference.summary.affected || viaWorktree.summary.affected !== reference.summary.affected) {
    throw new Error(`affected counts disagree: core ${reference.summary.affected}, --head change ${viaCli.summary.affected}, worktree ${viaWorktree.summary.affected}`);
  }

  const broad = await loadChange({ registry: path.join(root, REGISTRY_DIR), agents: [path.join(root, AGENTS_DIR)] }, { base: "main", head: BROAD_BRANCH });
  const timings: Record<string, Stats> = {};
  const phases: Record<string, Stats> = {};
  const scenarios: Record<string, { changedAssets: number; resolved: number; affected: number; stats: Stats; reference: Stats; sameOutput: boolean }> = {};
  if (only.has("a")) {
    // The core on parsed input, from no change to a broad one; each also through the simple
    // reference core kept in test/helpers (the algorithm before integer ids and bitmasks),
    // to time it and to check that both give the same output, digest for digest.
    log("(a) computeBlastRadius(buildRegistryState × 2, agents), and the reference core:");
    const narrowHead = narrowChange(history.base, agents);
    const cases = [
      ["none", "no change (head = base)", history, history.base],
      ["narrow", `narrow: ${narrowHead.label}`, history, narrowHead.tree],
      ["change", "branch change", history, history.head],
      ["broad", `branch ${BROAD_BRANCH}`, broad.history, broad.history.head],
    ] as const;
    for (const [name, label, { tags, base }, headTree] of cases) {
      const states = () => [buildRegistryState(tags, base), buildRegistryState(tags, headTree)] as const;
      const fast = () => computeBlastRadius(...states(), agents);
      const slow = () => computeReferenceBlastRadius(...states(), agents);
      const result = fast();
      const sameOutput = digestRadius(result) === digestRadius(slow());
      if (!sameOutput) throw new Error(`the core and the reference core disagree on ${label}`);
      const stats = await measure(label, 3, repsOverride ?? (name === "broad" || name === "change" ? 15 : 30), fast);
      const reference = await measure(`${label}, reference core`, 1, repsOverride ?? 3, slow);
      scenarios[name] = { changedAssets: result.changedAssets.size, resolved: result.resolutions.size, affected: result.affected.length, stats, reference, sameOutput };
    }
    timings.core = scenarios.change!.stats;
    timings.coreBroad = scenarios.broad!.stats;
  }
  if (only.has("b") || only.has("c") || only.has("w")) {
    const runs: { key: string; label: string; run: () => unknown }[] = [];
    for (const [suffix, head] of [["", "change"], ["Broad", BROAD_BRANCH]] as const) {
      if (only.has("b")) {
        runs.push({ key: `affected${suffix}`, label: `(b) affected --head ${head}`, run: () => cli(head) });
        if (suffix === "") runs.push({ key: "affectedWorktree", label: "(b) affected, working tree as head", run: () => cli(null) });
      }
      if (only.has("w")) {
        // Warm: the cache holds what the previous run parsed (every blob, every agent); this run parses nothing.
        await cli(head, undefined, cacheDir);
        runs.push({ key: `warm${suffix}`, label: `(w) affected --head ${head}, warm parse cache`, run: () => cli(head, undefined, cacheDir) });
      }
      if (only.has("c")) {
        const counts = await floor(root, head);
        if (counts.agents !== agents.length) throw new Error(`floor parsed ${counts.agents} agents, expected ${agents.length}`);
        runs.push({ key: `floor${suffix}`, label: `(c) floor, head ${head}: read + parse every distinct manifest`, run: () => floor(root, head) });
      }
    }
    log(`interleaved rounds of ${runs.map((entry) => entry.label.split(":")[0]).join(" | ")}:`);
    const results = await measureInterleaved(runs, 1, repsOverride ?? 5);
    runs.forEach((entry, index) => (timings[entry.key] = results[index]!));
  }
  const memory: Record<string, number> = {};
  if (only.has("m")) {
    // Peak resident memory of one whole run per mode, each in its own process.
    const peak = (head: string, cache?: string) => {
      const output = execFileSync(process.execPath, [path.join(here, "peak-memory.ts"), root, head, ...(cache ? [cache] : [])], { encoding: "utf8" });
      return Math.round(Number(output.trim().split("\n").pop()) / 1024);
    };
    const warmDir = path.join(root, "parse-cache-memory");
    rmSync(warmDir, { recursive: true, force: true });
    memory.coldMiB = peak("change");
    memory.coldBroadMiB = peak(BROAD_BRANCH);
    peak("change", warmDir);
    memory.warmMiB = peak("change", warmDir);
    log(`peak memory: cold ${memory.coldMiB} MiB, cold broad ${memory.coldBroadMiB} MiB, warm ${memory.warmMiB} MiB`);
  }
  if (only.has("p")) {
    // Where (b)'s time goes, phase by phase (run one after the other here; `main` overlaps the two reads).
    log("phases of (b), one after the other:");
    const reps = repsOverride ?? 3;
    phases.loadChange = await measure("loadChange (registry and agents)", 1, reps, () => loadChange({ registry: path.join(root, REGISTRY_DIR), agents: [path.join(root, AGENTS_DIR)] }, { base: "main", head: "change" }));
    phases.readAgents = await measure("readAgents", 1, reps, () => readAgents([path.join(root, AGENTS_DIR)]));
    phases.floorRegistry = await measure("floor: registry only", 1, reps, () => floorRegistry(path.join(root, REGISTRY_DIR), "change"));
    phases.floorAgents = await measure("floor: agents only", 1, reps, () => floorAgents(root));
    const facts = { history, agents, loadProblems, refs: { base: "main", head: "change" }, today: TODAY };
    phases.buildAffectedReport = await measure("buildAffectedReport", 1, reps, () => buildAffectedReport(facts));
    phases.renderJson = await measure("schema parse + JSON.stringify", 1, reps, () => JSON.stringify(affectedReportSchema.parse(reference), null, 2));
  }

  const ratio = timings.affected && timings.floor ? Math.round((timings.affected.median / timings.floor.median) * 100) / 100 : null;
  const ratioWorktree = timings.affectedWorktree && timings.floor ? Math.round((timings.affectedWorktree.median / timings.floor.median) * 100) / 100 : null;
  const ratioBroad = timings.affectedBroad && timings.floorBroad ? Math.round((timings.affectedBroad.median / timings.floorBroad.median) * 100) / 100 : null;
  // Warm runs against the cold floor of the same head.
  const ratioWarm = timings.warm && timings.floor ? Math.round((timings.warm.median / timings.floor.median) * 100) / 100 : null;
  const ratioWarmBroad = timings.warmBroad && timings.floorBroad ? Math.round((timings.warmBroad.median / timings.floorBroad.median) * 100) / 100 : null;
  // The core on parsed input as a share of the floor (of the same head), in percent.
  const percent = (core: Stats | undefined, floorStats: Stats | undefined) => (core && floorStats ? Math.round((core.median / floorStats.median) * 10_000) / 100 : null);
  const corePercentOfFloor = Object.fromEntries(
    Object.entries(scenarios).map(([name, scenario]) => [name, percent(scenario.stats, name === "broad" ? timings.floorBroad : timings.floor)]),
  );
  const results = {
    benchmark: "blast-radius",
    generator: info.generator,
    org: {
      ...info.spec,
      tags: info.tags,
      taggedVersions: info.versions,
      serversWithDependsOn: info.serversWithDependsOn,
      skillsWithRequires: info.skillsWithRequires,
      agentsWithOverlay: info.agentsWithOverlay,
      agentYamlBytes: info.agentYamlBytes,
      change: info.change,
      broadChange: info.broadChange,
    },
    report: {
      changes: reference.summary.changes,
      affected: reference.summary.affected,
      unaffected: reference.summary.unaffected,
      agentsResolved: radius.resolutions.size,
      changedAssets: radius.changedAssets.size,
      unsatisfiableAtHead: [...radius.resolutions.values()].filter((pair) => pair.head.status === "unsatisfiable").length,
      errors: reference.summary.errors,
      warnings: reference.summary.warnings,
      jsonBytes: output.length,
    },
    timingsMs: timings,
    coreScenarios: scenarios,
    phasesMs: phases,
    ratioAffectedToFloor: ratio,
    ratioWorktreeToFloor: ratioWorktree,
    ratioBroadToFloor: ratioBroad,
    ratioWarmToFloor: ratioWarm,
    ratioWarmBroadToFloor: ratioWarmBroad,
    peakMemoryMiB: memory,
    corePercentOfFloor,
    goals: {
      coreWithin1PercentOfFloor: Object.values(corePercentOfFloor).every((value) => value !== null) && Object.keys(corePercentOfFloor).length > 0 ? Object.values(corePercentOfFloor).every((value) => value! <= 1) : null,
      affectedWithin1_5xFloor: ratio === null ? null : ratio <= GOAL_RATIO,
      broadAffectedWithin1_5xFloor: ratioBroad === null ? null : ratioBroad <= GOAL_RATIO,
      warmWithinQuarterOfFloor: ratioWarm === null || ratioWarmBroad === null ? null : ratioWarm <= GOAL_WARM_RATIO && ratioWarmBroad <= GOAL_WARM_RATIO,
    },
    environment: { node: process.version, cpus: availableParallelism(), git: gitVersion },
  };

  printTable(results);
  if (!args["no-write"]) {
    writeFileSync(path.join(here, "results.json"), JSON.stringify(results, null, 2) + "\n");
    log("wrote bench/results.json");
  }
}

function printTable(results: {
  org: { agents: number; skills: number; servers: number; tags: number; change: { skill: { name: string; from: string; to: string }; server: { name: string; from: string; to: string } } };
  report: { changes: number; affected: number; unaffected: number; agentsResolved: number; unsatisfiableAtHead: number; errors: number; warnings: number };
  timingsMs: Record<string, Stats>;
  coreScenarios: Record<string, { changedAssets: number; resolved: number; affected: number; stats: Stats; reference: Stats }>;
  corePercentOfFloor: Record<string, number | null>;
  ratioAffectedToFloor: number | null;
  ratioBroadToFloor: number | null;
  ratioWorktreeToFloor: number | null;
  ratioWarmToFloor: number | null;
  ratioWarmBroadToFloor: number | null;
  peakMemoryMiB: Record<string, number>;
  environment: { node: string; cpus: number; git: string };
}): void {
  const { org, report, timingsMs: t } = results;
  const rows: [string, string][] = [
    ["org", `${org.agents} agents, ${org.skills} skills, ${org.servers} servers, ${org.tags} tags`],
    ["change", `${org.change.skill.name} ${org.change.skill.from}→${org.change.skill.to}; ${org.change.server.name} ${org.change.server.from}→${org.change.server.to}`],
    ["report", `${report.changes} changes, ${report.affected} affected, ${report.unaffected} held back, ${report.agentsResolved} agents resolved (${report.unsatisfiableAtHead} unsatisfiable at head)`],
    ["problems", `${report.errors} errors, ${report.warnings} warnings`],
  ];
  const timing = (label: string, s: Stats | undefined, goal: string) => {
    if (s) rows.push([label, `median ${fmt(s.median).padStart(7)} ms   p90 ${fmt(s.p90).padStart(7)}   min ${fmt(s.min).padStart(7)}   ${goal}`]);
  };
  for (const [name, scenario] of Object.entries(results.coreScenarios)) {
    const share = results.corePercentOfFloor[name];
    timing(`(a) core, ${name}`, scenario.stats, `${scenario.changedAssets} changed, ${scenario.affected} affected, ${scenario.resolved} resolved${share === null || share === undefined ? "" : `; ${share}% of floor (goal ≤ 1%)`}`);
    timing(`(a) reference, ${name}`, scenario.reference, "the simple core, same output");
  }
  timing("(b) affected --head", t.affected, results.ratioAffectedToFloor === null ? "" : `${results.ratioAffectedToFloor}× floor (goal ≤ ${GOAL_RATIO}×)`);
  timing("(b) affected worktree", t.affectedWorktree, results.ratioWorktreeToFloor === null ? "" : `${results.ratioWorktreeToFloor}× floor`);
  timing("(c) floor", t.floor, "read + parse each distinct manifest once");
  timing("(b) affected broad", t.affectedBroad, results.ratioBroadToFloor === null ? "" : `${results.ratioBroadToFloor}× floor (goal ≤ ${GOAL_RATIO}×)`);
  timing("(c) floor, broad head", t.floorBroad, "");
  timing("(w) warm --head", t.warm, results.ratioWarmToFloor === null ? "" : `${results.ratioWarmToFloor}× floor (goal ≤ ${GOAL_WARM_RATIO}×)`);
  timing("(w) warm broad", t.warmBroad, results.ratioWarmBroadToFloor === null ? "" : `${results.ratioWarmBroadToFloor}× broad floor (goal ≤ ${GOAL_WARM_RATIO}×)`);
  const m = results.peakMemoryMiB;
  if (m.coldMiB !== undefined) rows.push(["(m) peak memory", `cold ${m.coldMiB} MiB, cold broad ${m.coldBroadMiB} MiB, warm ${m.warmMiB} MiB`]);
  rows.push(["environment", `node ${results.environment.node}, ${results.environment.cpus} cpus, git ${results.environment.git}`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n"));
}

await run();
