import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assembleAgent } from "../../app/core/evals/assemble-agent.ts";
import { buildRegistryState } from "../../app/core/registry/registry-state.ts";
import { describeClosure } from "../../app/core/registry/build-affected-report.ts";
import { createResolver } from "../../app/core/registry/resolve-agent.ts";
import { splitFrontmatter } from "../../app/core/files/markdown-sections.ts";
import { loadAt } from "../../app/cli/load-org.ts";
import { readAgentUnderTest } from "../../app/load/read-agent-under-test.ts";
import { useExampleOrg } from "../helpers/example-org.ts";
import { sha256 } from "../helpers/assembled-agent.ts";

const example = useExampleOrg("read-agent-under-test");

async function resolveAt(agentName: string) {
  const loaded = await loadAt({ registry: example.org.registry, agents: [example.org.agents] }, "main");
  const state = buildRegistryState(loaded.tags, loaded.tree, loaded.leftOut);
  const agent = loaded.agents.find((entry) => entry.name === agentName)!;
  return { agent, state, closure: describeClosure(createResolver(state)(agent)), dir: path.join(example.org.agents, agentName) };
}

describe("readAgentUnderTest", () => {
  it("reads each resolved skill at its content id, the tools the agent sees, its overlays and system prompt", async () => {
    const { agent, state, closure, dir } = await resolveAt("support-triage");
    expect(closure.status).toBe("ok");
    const read = await readAgentUnderTest(example.org.registry, dir, agent, closure, state.assets);
    if (read.kind !== "ok") throw new Error(JSON.stringify(read.problems));
    const { parts } = read;

    expect(parts.system).toBe(readFileSync(path.join(dir, "prompts/system.md"), "utf8"));
    expect([...parts.overlays.keys()]).toEqual(["tone-guide"]);
    expect(parts.overlays.get("tone-guide")).toBe(readFileSync(path.join(dir, "overlays/tone-guide.md"), "utf8"));
    // Every skill in the closure, as `git cat-file` gives it at the folder's tree id.
    expect([...parts.skills.keys()].sort()).toEqual(closure.assets.filter((entry) => entry.asset.startsWith("skill:")).map((entry) => entry.asset.slice(6)).sort());
    for (const entry of closure.assets.filter((asset) => asset.asset.startsWith("skill:"))) {
      expect(parts.skills.get(entry.asset.slice(6))).toMatch(new RegExp(`version: ${entry.version.replace(/\./g, "\\.")}\\n`));
    }
    expect([...parts.servers.keys()]).toEqual(["ticketing"]);

    const assembled = assembleAgent({ ...parts, variant: { label: "head", ref: "main" }, suiteHash: "s", hash: sha256 });
    expect(assembled.tools.every((tool) => tool.server === "ticketing")).toBe(true);
    expect(assembled.tools.map((tool) => tool.name)).toEqual(parts.servers.get("ticketing")!.tools.map((tool) => tool.name).sort());
    const tone = assembled.skills.find((skill) => skill.name === "tone-guide")!;
    expect(tone.body).toContain('Greet by first name: "Hi Dana,"');
    expect(tone.body).not.toContain("description:");
    expect(splitFrontmatter(parts.skills.get("tone-guide")!).body).not.toContain('Greet by first name: "Hi Dana,"');
  });

  it("reports a missing system prompt and overlay at the agent.yaml lines that name them", async () => {
    const { agent, state, closure, dir } = await resolveAt("support-triage");
    const system = readFileSync(path.join(dir, "prompts/system.md"), "utf8");
    const overlay = readFileSync(path.join(dir, "overlays/tone-guide.md"), "utf8");
    rmSync(path.join(dir, "prompts/system.md"));
    rmSync(path.join(dir, "overlays/tone-guide.md"));
    try {
      const read = await readAgentUnderTest(example.org.registry, dir, agent, closure, state.assets);
      expect(read.kind).toBe("invalid");
      const manifest = readFileSync(path.join(dir, "agent.yaml"), "utf8").split("\n");
      const lineOf = (text: string) => manifest.findIndex((line) => line.includes(text)) + 1;
      expect(read.kind === "invalid" && read.problems.map(({ code, path: file, line, message }) => ({ code, file, line, message }))).toEqual([
        { code: "missing-file", file: "agent.yaml", line: lineOf("overlay: overlays/tone-guide.md"), message: "overlay `overlays/tone-guide.md` for skill `tone-guide` does not exist in the agent repo; create it or fix the path" },
        { code: "missing-file", file: "agent.yaml", line: lineOf("system: prompts/system.md"), message: "system prompt `prompts/system.md` does not exist in the agent repo; create it or fix the path" },
      ]);
    } finally {
      writeFileSync(path.join(dir, "prompts/system.md"), system);
      writeFileSync(path.join(dir, "overlays/tone-guide.md"), overlay);
    }
  });

  it("reports a skill whose content id is not in the repository", async () => {
    const { agent, state, closure, dir } = await resolveAt("support-triage");
    const broken = { ...closure, assets: closure.assets.map((entry) => (entry.asset === "skill:tone-guide" ? { ...entry, contentHash: "0".repeat(40) } : entry)) };
    const read = await readAgentUnderTest(example.org.registry, dir, agent, broken, state.assets);
    expect(read.kind === "invalid" && read.problems.map((problem) => [problem.code, problem.path, problem.message])).toEqual([
      ["missing-file", "skills/tone-guide/SKILL.md", expect.stringMatching(/^SKILL\.md of tone-guide@\S+ is not in the registry repository \(tree 0{40}\); fetch the registry's tags and history, then run again$/)],
    ]);
  });
});
