import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadChange, openCache, type OrgSources } from "../../app/cli/load-org.ts";
import { parseAgentRepo } from "../../app/core/registry/build-agent.ts";
import { buildAffectedReport } from "../../app/core/registry/build-affected-report.ts";
import { CACHE_FILE, openParseCache, type ParseCache } from "../../app/load/parse-cache.ts";
import { readRegistryChange, type ObjectInfo } from "../../app/load/read-registry.ts";
import { createTempOrg, modelsYaml, serverYaml, skillMd, type TempOrg } from "../helpers/git-registry.ts";

let org: TempOrg;
let cacheDir: string;
const today = "2026-11-24";

beforeEach(() => {
  org = createTempOrg();
  cacheDir = path.join(org.root, "cache");
  org.write({ "models.yaml": modelsYaml(), "servers/crm/server.yaml": serverYaml("crm", "2.0.0"), "skills/tone-guide/SKILL.md": skillMd("tone-guide", "1.0.0") });
  org.commit("first", "servers/crm@2.0.0", "skills/tone-guide@1.0.0");
  org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.1.0") });
  org.commit("crm 2.1.0", "servers/crm@2.1.0");
  org.writeAgent("support", { name: "support", team: "cx", tier: "production", servers: { crm: "^2.0.0" }, skills: { "tone-guide": "^1.0.0" } });
  org.writeAgent("ops", { name: "ops", team: "ops", tier: "staging", servers: { crm: "~2.0.0" } });
});
afterEach(() => org.remove());

/** Wraps a cache so a run can count the parses it adds to it (each one a parse that was not reused). */
function counting(cache: ParseCache): { cache: ParseCache; parsed: () => number } {
  let parsed = 0;
  const count = <K, V>(memo: { get(key: K): V | undefined; set(key: K, value: V): void }) => ({
    has: (key: K) => memo.get(key) !== undefined,
    get: (key: K) => memo.get(key),
    set: (key: K, value: V) => {
      parsed++;
      memo.set(key, value);
    },
  });
  return { cache: { registry: count(cache.registry), agents: count(cache.agents), objects: cache.objects, texts: cache.texts, save: () => cache.save() }, parsed: () => parsed };
}

async function countingCache(codeId = "code-1", day = today) {
  return counting(await openParseCache(cacheDir, codeId, day));
}

async function run(cache: ParseCache, sources: OrgSources = { registry: org.registry, agents: [org.agents] }) {
  const loaded = await loadChange(sources, { base: "main", head: "WORKTREE" }, cache);
  await cache.save();
  return buildAffectedReport({ history: loaded.history, agents: loaded.agents, loadProblems: loaded.problems, refs: { base: "main", head: "WORKTREE" }, today });
}

/** The cache file as JSON, to look into or tamper with. */
type StoredAgent = { draft: { facts: { name: string; team: string } } | null };
function cacheFile(): { format: number; version: string; days: Record<string, { registry: [string, unknown][]; agents: [string, StoredAgent][]; objects: [string, string][] }> } {
  return JSON.parse(readFileSync(path.join(cacheDir, CACHE_FILE), "utf8"));
}

const noParse = { value: null, problems: [] };

describe("the parse cache", () => {
  it("parses each distinct manifest once cold, nothing warm, and only what changed after an edit, with the same report", async () => {
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0") });
    const cold = await countingCache();
    const coldReport = await run(cold.cache);
    // crm 2.0.0, crm 2.1.0 (tag and base share a blob), crm 2.2.0 at head, tone-guide (tag, base and head share one), models.yaml is not cached; two agents.
    expect(cold.parsed()).toBe(6);
    expect(readdirSync(cacheDir)).toEqual([CACHE_FILE]);

    const warm = await countingCache();
    expect(await run(warm.cache)).toEqual(coldReport);
    expect(warm.parsed()).toBe(0);

    org.write({ "skills/tone-guide/SKILL.md": skillMd("tone-guide", "1.0.1") });
    const edited = await countingCache();
    const report = await run(edited.cache);
    expect(edited.parsed()).toBe(1);
    expect(report.changes.map((change) => [change.asset, change.to])).toEqual([["server:crm", "2.2.0"], ["skill:tone-guide", "1.0.1"]]);
  });

  it("serves a checkout of the same org at another path from the same one file, with every location at the new path", async () => {
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0") });
    const io = { cache: { dir: cacheDir, codeId: "code-1" }, today };
    const first = counting(await openCache(io));
    await run(first.cache);
    expect(first.parsed()).toBe(6);

    const elsewhere = mkdtempSync(path.join(tmpdir(), "blastgate-checkout-"));
    try {
      cpSync(org.registry, path.join(elsewhere, "registry"), { recursive: true });
      cpSync(org.agents, path.join(elsewhere, "agents"), { recursive: true });
      const sources = { registry: path.join(elsewhere, "registry"), agents: [path.join(elsewhere, "agents")] };
      const second = counting(await openCache(io));
      const report = await run(second.cache, sources);
      expect(second.parsed()).toBe(0);
      expect(readdirSync(cacheDir)).toEqual([CACHE_FILE]);
      // Nothing of the first checkout's path survives in what the second one reads.
      expect(report.affected.map((agent) => [agent.agent, agent.repo])).toEqual([["support", path.join(elsewhere, "agents", "support")]]);
      expect(JSON.stringify(report)).not.toContain(org.root);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("parses the same agent.yaml text once for two repos, and places each parse (and its problems) in its own repo", () => {
    const memo = new Map<string, ReturnType<typeof parseAgentRepo>>();
    let sets = 0;
    const counted = { get: (key: string) => memo.get(key), set: (key: string, value: ReturnType<typeof parseAgentRepo>) => (sets++, memo.set(key, value)) };
    const text = "name: support\nteam: cx\ntier: production\nservers:\n  crm: ^2.0.0\n";
    const a = parseAgentRepo("/one/support", { kind: "text", text, id: "same" }, counted);
    const b = parseAgentRepo("/two/support", { kind: "text", text, id: "same" }, counted);
    expect(sets).toBe(1);
    expect(a.draft?.facts.repo).toBe("/one/support");
    expect(b.draft?.facts).toMatchObject({ repo: "/two/support", source: { repo: "/two/support", path: "agent.yaml" }, requirements: [{ source: { repo: "/two/support", path: "agent.yaml" } }] });

    const broken = "name: support\nteam: cx\ntier: prod\n";
    parseAgentRepo("/one/support", { kind: "text", text: broken, id: "broken" }, counted);
    const reused = parseAgentRepo("/two/support", { kind: "text", text: broken, id: "broken" }, counted);
    expect(sets).toBe(2);
    expect(reused.problems.map((problem) => [problem.repo, problem.path])).toEqual([["/two/support", "agent.yaml"]]);
  });

  it("lets the git reader skip fetching manifests whose parse is known", async () => {
    const kinds = async (known: (key: string) => boolean) => {
      const { read } = await readRegistryChange(org.registry, { base: "main", head: "main" }, { known });
      return [...read.tags.map((tag) => tag.folder?.manifest.kind), ...read.base.folders.map((folder) => folder.manifest.kind)];
    };
    expect(await kinds(() => false)).toEqual(["text", "text", "text", "text", "text"]);
    expect(await kinds((key) => key.startsWith("server/crm/"))).toEqual(["known", "known", "text", "known", "text"]);
  });

  it("remembers what each release tag and folder points at, and models.yaml's text, so a warm run asks git only about what it has not seen", async () => {
    /** A cache that records the object names git was asked about (and found), and the blobs it read that are kept as text. */
    const recording = async () => {
      const cache = await openParseCache(cacheDir, "code-1", today);
      const asked: string[] = [];
      const read: string[] = [];
      const objects = { get: (name: string) => cache.objects.get(name), set: (name: string, info: ObjectInfo) => (asked.push(name), cache.objects.set(name, info)) };
      const texts = { get: (oid: string) => cache.texts.get(oid), set: (oid: string, text: string) => (read.push(oid), cache.texts.set(oid, text)) };
      return { cache: { ...cache, objects, texts, save: () => cache.save() }, asked, read };
    };
    const tagIds = () => org.git("for-each-ref", "--format=%(objectname)", "refs/tags/").split("\n").filter(Boolean);
    const cold = await recording();
    const coldReport = await run(cold.cache);
    expect(tagIds().every((id) => cold.asked.some((name) => name.startsWith(`${id}:`)))).toBe(true);
    expect(cold.read).toEqual([org.git("rev-parse", "main:models.yaml").trim()]);

    const warm = await recording();
    expect(await run(warm.cache)).toEqual(coldReport);
    expect([warm.asked, warm.read]).toEqual([[], []]);

    const oldTags = tagIds();
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0") });
    org.commit("crm 2.2.0", "servers/crm@2.2.0");
    const next = await recording();
    const report = await run(next.cache);
    expect(report.changes).toEqual([]);
    const newTag = org.git("rev-parse", "refs/tags/servers/crm@2.2.0").trim();
    expect(next.asked).toEqual(expect.arrayContaining([`${newTag}:servers/crm`, `${newTag}:servers/crm/server.yaml`]));
    expect(next.asked.filter((name) => oldTags.some((id) => name.startsWith(`${id}:`)))).toEqual([]);
  });

  it("reads a tag deleted and made again elsewhere afresh, never from what it remembers of the old one", async () => {
    await run((await countingCache()).cache);
    // crm 2.1.0 made again, annotated this time, on a commit where its manifest says something else.
    org.git("tag", "-d", "servers/crm@2.1.0");
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.1.0", { description: "The crm server, released again" }) });
    org.commit("crm 2.1.0 again");
    org.git("tag", "-a", "-m", "crm 2.1.0 again", "servers/crm@2.1.0");

    const warm = await countingCache();
    const loaded = await loadChange({ registry: org.registry, agents: [org.agents] }, { base: "main", head: "WORKTREE" }, warm.cache);
    const release = loaded.history.tags.get("server:crm")?.find((version) => version.version === "2.1.0");
    expect(release?.contentHash).toBe(org.git("rev-parse", "servers/crm@2.1.0:servers/crm").trim());
    expect(release?.server?.description).toBe("The crm server, released again");
    // The new manifest (at the tag, base and head alike) is the one parse.
    expect(warm.parsed()).toBe(1);
  });

  it("reads a registry in a folder of a larger repository the same warm as cold, its models.yaml and gate policy included", async () => {
    const inner = "platform";
    org.write({
      [`${inner}/models.yaml`]: modelsYaml(),
      [`${inner}/servers/billing/server.yaml`]: serverYaml("billing", "1.0.0"),
      [`${inner}/.github/blastgate.yml`]: "catalog: 7\n",
    });
    org.commit("billing 1.0.0 in the platform folder", "servers/billing@1.0.0");
    org.write({ [`${inner}/servers/billing/server.yaml`]: serverYaml("billing", "1.1.0") });
    org.writeAgent("payments", { name: "payments", team: "fin", tier: "production", servers: { billing: "^1.0.0" } });
    const affected = async (cache?: string) => {
      const { stdout } = await org.run(["affected", "--registry", inner, "--agents", "../agents", "--format", "json"], undefined, cache ? { cache: { dir: cache, codeId: "test" } } : {});
      return JSON.parse(stdout) as { changes: { asset: string; from: string; to: string }[]; problems: { file: string; line: number }[] };
    };
    const uncached = await affected();
    expect(uncached.changes.map((change) => [change.asset, change.from, change.to])).toEqual([["server:billing", "1.0.0", "1.1.0"]]);
    expect(uncached.problems.map((problem) => problem.file)).toContain(`${inner}/.github/blastgate.yml`);
    expect(await affected(cacheDir)).toEqual(uncached);
    expect(await affected(cacheDir)).toEqual(uncached);
  });

  it("starts empty when the code that wrote it is another", async () => {
    const first = await countingCache("code-1");
    await run(first.cache);
    const other = await countingCache("code-2");
    await run(other.cache);
    // crm 2.0.0, crm 2.1.0, tone-guide 1.0.0 and two agents, parsed again.
    expect([first.parsed(), other.parsed()]).toEqual([5, 5]);
  });

  it.each([
    ["is not JSON", "{ half a file"],
    ["holds a damaged day", JSON.stringify({ format: 3, version: "code-1", days: { [today]: "lost", "2026-11-23": { registry: [], agents: [] }, "2026-11-22": { registry: {}, agents: {}, objects: {} } } })],
    ["holds no days", JSON.stringify({ format: 3, version: "code-1" })],
  ])("starts empty, and the run goes on, when the file %s", async (_what, text) => {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(path.join(cacheDir, CACHE_FILE), text);
    const damaged = await countingCache();
    await run(damaged.cache);
    expect(damaged.parsed()).toBe(5);
    expect(Object.keys(cacheFile().days)).toEqual([today]);
  });

  it("parses again, and the run goes on, when entries of the file are damaged", async () => {
    const coldReport = await run((await countingCache()).cache);
    const file = cacheFile();
    const day = file.days[today]! as Record<"registry" | "agents" | "objects", [string, unknown][]>;
    const damage = (section: "registry" | "agents" | "objects", value: unknown) => (day[section][0]![1] = value);
    damage("registry", "lost");
    damage("agents", { draft: null });
    damage("objects", "not an object id");
    day.agents.push(7 as never, [null, {}] as never);
    writeFileSync(path.join(cacheDir, CACHE_FILE), JSON.stringify(file));

    const damaged = await countingCache();
    expect(await run(damaged.cache)).toEqual(coldReport);
    // The damaged manifest and agent parsed again, and saved in place of what was damaged.
    expect(damaged.parsed()).toBe(2);
    const again = await countingCache();
    expect(await run(again.cache)).toEqual(coldReport);
    expect(again.parsed()).toBe(0);
  });

  it("keeps entries another org used until they go 30 days unused, and a use keeps one another 30 days", async () => {
    const open = (day: string) => openParseCache(cacheDir, "code-1", day);
    const other = await open("2026-10-01");
    other.registry.set("server/old/1", noParse);
    other.registry.set("server/used/1", noParse);
    other.agents.set("old-agent", { draft: null, problems: [] });
    await other.save();

    const ours = await open("2026-10-20");
    expect(ours.registry.get("server/used/1")).toEqual(noParse);
    ours.registry.set("server/ours/1", noParse);
    await ours.save();
    expect(Object.keys(cacheFile().days).sort()).toEqual(["2026-10-01", "2026-10-20"]);

    const dayBefore = await open("2026-10-30");
    expect([dayBefore.registry.has("server/old/1"), dayBefore.agents.get("old-agent")]).toEqual([true, { draft: null, problems: [] }]);

    const expired = await open("2026-10-31");
    expect([expired.registry.has("server/old/1"), expired.agents.get("old-agent"), expired.registry.has("server/used/1")]).toEqual([false, undefined, true]);
    await expired.save();
    const file = cacheFile();
    expect(Object.keys(file.days)).toEqual(["2026-10-20"]);
    expect(file.days["2026-10-20"]!.registry.map(([key]) => key).sort()).toEqual(["server/ours/1", "server/used/1"]);
  });

  it("does not rewrite the file when a run used only what it had already used that day", async () => {
    await run((await countingCache()).cache);
    const before = readFileSync(path.join(cacheDir, CACHE_FILE), "utf8");
    writeFileSync(path.join(cacheDir, CACHE_FILE), before.replace('"format"', ' "format"'));
    await run((await countingCache()).cache);
    expect(readFileSync(path.join(cacheDir, CACHE_FILE), "utf8")).toBe(before.replace('"format"', ' "format"'));
    // The next day, the same entries are marked used again.
    await run((await countingCache("code-1", "2026-11-25")).cache);
    expect(Object.keys(cacheFile().days)).toEqual(["2026-11-25"]);
  });

  it("lets two runs of the same process id save at once, each through its own temporary file", async () => {
    const [a, b] = await Promise.all([openParseCache(cacheDir, "code-1", today), openParseCache(cacheDir, "code-1", today)]);
    a.registry.set("server/a/1", noParse);
    b.registry.set("server/b/1", noParse);
    await expect(Promise.all([a.save(), b.save()])).resolves.toEqual([undefined, undefined]);
    expect(readdirSync(cacheDir)).toEqual([CACHE_FILE]);
    expect(cacheFile().days[today]!.registry).toHaveLength(1);
  });

  it("removes the files of the first format, one per checkout path, when it saves", async () => {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(path.join(cacheDir, "parses-0123456789abcdef.json"), "{}");
    await run((await countingCache()).cache);
    expect(readdirSync(cacheDir)).toEqual([CACHE_FILE]);
  });

  it("is reused by the command line between runs: a tampered entry shows in the next run's output, and not under other code", async () => {
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0") });
    const affected = async (codeId: string) => {
      const { code, stdout } = await org.run(["affected", "--agents", "../agents", "--format", "json"], undefined, { cache: { dir: cacheDir, codeId } });
      expect(code).toBe(0);
      return (JSON.parse(stdout) as { affected: { agent: string; team: string }[] }).affected.map((agent) => [agent.agent, agent.team]);
    };
    expect(await affected("test")).toEqual([["support", "cx"]]);

    const file = cacheFile();
    const [, entry] = file.days[today]!.agents.find(([, stored]) => stored.draft?.facts.name === "support")!;
    entry.draft!.facts.team = "tampered";
    writeFileSync(path.join(cacheDir, CACHE_FILE), JSON.stringify(file));

    expect(await affected("test")).toEqual([["support", "tampered"]]);
    expect(await affected("other")).toEqual([["support", "cx"]]);
  });

  it("reports an invalid manifest shared by two tags and the tree at each one's own ref on a warm run", async () => {
    org.write({ "servers/bad/server.yaml": serverYaml("bad", "1.0.0", { description: "   " }) });
    org.commit("bad", "servers/bad@1.0.0", "servers/bad@1.0.1");
    const problems = async () => {
      const { stdout } = await org.run(["affected", "--agents", "../agents", "--format", "json"], undefined, { cache: { dir: cacheDir, codeId: "test" } });
      const report = JSON.parse(stdout) as { problems: { file: string; ref?: string; line: number; message: string }[] };
      return report.problems.filter((problem) => problem.file.includes("bad")).map((problem) => [problem.file, problem.ref ?? null, problem.line]);
    };
    const cold = await problems();
    expect(existsSync(path.join(cacheDir, CACHE_FILE))).toBe(true);
    const warm = await problems();
    expect(warm).toEqual(cold);
    expect(warm.map(([, ref]) => ref)).toEqual(expect.arrayContaining(["servers/bad@1.0.0", "servers/bad@1.0.1"]));
    expect(new Set(warm.map(([, ref]) => ref)).size).toBe(warm.length);
  });
});
