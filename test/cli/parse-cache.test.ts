import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadChange } from "../../app/cli/load-org.ts";
import { buildAffectedReport } from "../../app/core/registry/build-affected-report.ts";
import { openParseCache, type ParseCache } from "../../app/load/parse-cache.ts";
import { readRegistryChange } from "../../app/load/read-registry.ts";
import { createTempOrg, modelsYaml, serverYaml, skillMd, type TempOrg } from "../helpers/git-registry.ts";

let org: TempOrg;
let cacheDir: string;

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

/** Opens the cache and counts the parses a run adds to it (each one a parse that was not reused). */
async function countingCache(codeId = "code-1"): Promise<{ cache: ParseCache; parsed: () => number }> {
  const cache = await openParseCache(cacheDir, "org", codeId);
  let parsed = 0;
  const count = <K, V>(memo: { get(key: K): V | undefined; set(key: K, value: V): void }) => ({
    has: (key: K) => memo.get(key) !== undefined,
    get: (key: K) => memo.get(key),
    set: (key: K, value: V) => {
      parsed++;
      memo.set(key, value);
    },
  });
  return { cache: { registry: count(cache.registry), agents: count(cache.agents), save: () => cache.save() }, parsed: () => parsed };
}

async function run(cache: ParseCache) {
  const loaded = await loadChange({ registry: org.registry, agents: [org.agents] }, { base: "main", head: "WORKTREE" }, cache);
  await cache.save();
  return buildAffectedReport({ history: loaded.history, agents: loaded.agents, loadProblems: loaded.problems, refs: { base: "main", head: "WORKTREE" }, today: "2026-11-24" });
}

describe("the parse cache", () => {
  it("parses each distinct manifest once cold, nothing warm, and only what changed after an edit, with the same report", async () => {
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0") });
    const cold = await countingCache();
    const coldReport = await run(cold.cache);
    // crm 2.0.0, crm 2.1.0 (tag and base share a blob), crm 2.2.0 at head, tone-guide (tag, base and head share one), models.yaml is not cached; two agents.
    expect(cold.parsed()).toBe(6);
    expect(readdirSync(cacheDir)).toHaveLength(1);

    const warm = await countingCache();
    expect(await run(warm.cache)).toEqual(coldReport);
    expect(warm.parsed()).toBe(0);

    org.write({ "skills/tone-guide/SKILL.md": skillMd("tone-guide", "1.0.1") });
    const edited = await countingCache();
    const report = await run(edited.cache);
    expect(edited.parsed()).toBe(1);
    expect(report.changes.map((change) => [change.asset, change.to])).toEqual([["server:crm", "2.2.0"], ["skill:tone-guide", "1.0.1"]]);
  });

  it("lets the git reader skip fetching manifests whose parse is known", async () => {
    const kinds = async (known: (key: string) => boolean) => {
      const { read } = await readRegistryChange(org.registry, { base: "main", head: "main" }, known);
      return [...read.tags.map((tag) => tag.folder?.manifest.kind), ...read.base.folders.map((folder) => folder.manifest.kind)];
    };
    expect(await kinds(() => false)).toEqual(["text", "text", "text", "text", "text"]);
    expect(await kinds((key) => key.startsWith("server/crm/"))).toEqual(["known", "known", "text", "known", "text"]);
  });

  it("starts empty when the code that wrote it is another", async () => {
    const first = await countingCache("code-1");
    await run(first.cache);
    const other = await countingCache("code-2");
    await run(other.cache);
    // crm 2.0.0, crm 2.1.0, tone-guide 1.0.0 and two agents, parsed again.
    expect([first.parsed(), other.parsed()]).toEqual([5, 5]);
  });

  it("is kept by the command line between runs when it names a cache folder, and the output is the same", async () => {
    const io = { cache: { dir: cacheDir, codeId: "test" } };
    const first = await org.run(["affected", "--agents", "../agents", "--format", "json"], undefined, io);
    expect(existsSync(cacheDir)).toBe(true);
    const second = await org.run(["affected", "--agents", "../agents", "--format", "json"], undefined, io);
    expect(second).toEqual(first);
  });
});
