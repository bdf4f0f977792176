import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { agentManifestSchema, type AgentManifest } from "../../schemas/agent.schema.ts";
import { checkEvalStandard } from "../../app/core/evals/check-eval-standard.ts";
import type { AgentTool, EvalSuite } from "../../app/core/evals/model.ts";
import { checkSuiteTools, findSuiteSettingLine, toolsNamed } from "../../app/core/evals/parse-suite.ts";
import { parseYamlFile } from "../../app/core/files/parse-yaml.ts";
import { parseGatePolicy } from "../../app/core/gate/parse-gate-policy.ts";
import { parseServerManifest, parseSkillFile, type AssetVersionDraft } from "../../app/core/registry/parse-manifests.ts";
import { formatProblem } from "../../app/core/report/render-text.ts";
import { readSkillEvals, readSuite } from "../../app/load/read-suite.ts";

// The example org as files, read straight from examples/org: the registry's main (each asset at its latest).
const org = path.join(import.meta.dirname, "..", "..", "examples", "org");
const registry = path.join(org, "registry");

async function readAssets(): Promise<Map<string, AssetVersionDraft>> {
  const assets = new Map<string, AssetVersionDraft>();
  for (const [kind, file] of [["servers", "server.yaml"], ["skills", "SKILL.md"]] as const) {
    for (const name of await readdir(path.join(registry, kind))) {
      const source = { repo: "registry", path: `${kind}/${name}/${file}`, text: await readFile(path.join(registry, kind, name, file), "utf8") };
      const parsed = kind === "servers" ? parseServerManifest(source, name) : parseSkillFile(source, name);
      expect(parsed.problems).toEqual([]);
      assets.set(parsed.value!.id, parsed.value!);
    }
  }
  return assets;
}

/** The tools of every server in the agent's closure: its servers and skills, and what they require, transitively. */
function toolsOf(manifest: AgentManifest, assets: ReadonlyMap<string, AssetVersionDraft>): AgentTool[] {
  const pending = [...Object.keys(manifest.servers).map((name) => `server:${name}`), ...Object.keys(manifest.skills).map((name) => `skill:${name}`)];
  const closure = new Set<string>();
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (closure.has(id)) continue;
    closure.add(id);
    pending.push(...assets.get(id)!.requires.map((requirement) => requirement.asset));
  }
  return [...closure].flatMap((id) => assets.get(id)?.server?.tools.map((tool) => ({ server: assets.get(id)!.name, name: tool.name, description: tool.description, inputSchema: tool.inputSchema })) ?? []);
}

/** Every input key a suite writes for a tool (tool-called args, mock `when`) that the tool's input schema does not define. */
function unknownInputs(suite: EvalSuite, tools: readonly AgentTool[]): string[] {
  const inputs = (key: string) => {
    const tool = tools.find((candidate) => `${candidate.server}.${candidate.name}` === key);
    return Object.keys((tool?.inputSchema.properties ?? {}) as Record<string, unknown>);
  };
  return suite.cases.flatMap((evalCase) => [
    ...Object.entries(evalCase.mocks).flatMap(([key, rules]) => rules.flatMap((rule) => Object.keys(rule.when ?? {}).filter((field) => !inputs(key).includes(field)).map((field) => `${evalCase.id}: mock ${key} when.${field}`))),
    ...evalCase.assertions.flatMap(({ assertion }) => {
      const args = (assertion as { args?: Record<string, unknown> }).args ?? {};
      return toolsNamed(assertion).flatMap((key) => Object.keys(args).filter((field) => !inputs(key).includes(field)).map((field) => `${evalCase.id}: ${assertion.type} ${key} args.${field}`));
    }),
  ]);
}

async function readAgent(name: string): Promise<{ dir: string; text: string; manifest: AgentManifest }> {
  const dir = path.join(org, "agents", name);
  const text = await readFile(path.join(dir, "agent.yaml"), "utf8");
  const parsed = parseYamlFile({ repo: name, path: "agent.yaml", text }, agentManifestSchema, "an agent.yaml");
  if (parsed.kind !== "ok") throw new Error(`${name}: ${parsed.problems.map(formatProblem).join("\n")}`);
  return { dir, text, manifest: parsed.value };
}

async function agentsWithSuites(): Promise<string[]> {
  const names = await readdir(path.join(org, "agents"));
  const withYaml = await Promise.all(names.map(async (name) => ((await readdir(path.join(org, "agents", name, "evals")).catch(() => [])).some((file) => /\.ya?ml$/.test(file)) ? name : null)));
  return withYaml.filter((name) => name !== null).sort();
}

describe("the example org's eval suites", () => {
  it("are those of support-triage, refund-assistant and lead-qualifier", async () => {
    expect(await agentsWithSuites()).toEqual(["lead-qualifier", "refund-assistant", "support-triage"]);
  });

  it("parse without problems, name only tools the agent resolves, and give those tools only inputs they define", async () => {
    const assets = await readAssets();
    for (const name of await agentsWithSuites()) {
      const { dir, manifest } = await readAgent(name);
      const { suite, problems } = await readSuite(dir, { repo: name, manifest, agent: name });
      expect(problems.map(formatProblem), name).toEqual([]);
      const tools = toolsOf(manifest, assets);
      expect(checkSuiteTools(suite!, tools, { repo: name, agent: name }).map(formatProblem), name).toEqual([]);
      expect(unknownInputs(suite!, tools), name).toEqual([]);
    }
  });

  it("hold what the brief for an example asks: negative and failure cases, tool checks, mocks for every tool a case expects", async () => {
    for (const name of await agentsWithSuites()) {
      const { dir, manifest } = await readAgent(name);
      const { suite } = await readSuite(dir, { repo: name, manifest });
      const tags = new Set(suite!.cases.flatMap((evalCase) => evalCase.tags));
      expect([name, tags.has("negative"), tags.has("failure-case")]).toEqual([name, true, true]);
      const types = new Set<string>(suite!.cases.flatMap((evalCase) => evalCase.assertions.map(({ assertion }) => assertion.type)));
      expect([name, ...["tool-called", "tool-not-called", "max-tool-calls"].map((type) => types.has(type))]).toEqual([name, true, true, true]);
      // A tool a case expects to be called answers from a mock, so the case is hermetic.
      const unmocked = suite!.cases.flatMap((evalCase) =>
        evalCase.assertions
          .filter(({ assertion }) => assertion.type === "tool-called" || assertion.type === "tool-sequence")
          .flatMap(({ assertion }) => toolsNamed(assertion))
          .filter((tool) => !(tool in evalCase.mocks))
          .map((tool) => `${evalCase.id}: ${tool}`),
      );
      expect(unmocked, name).toEqual([]);
    }
  });

  it("meet the org's eval standard, but for lead-qualifier's five cases, reported at its `evals.suite` line", async () => {
    const policy = parseGatePolicy({ kind: "text", text: await readFile(path.join(registry, ".github", "blastgate.yml"), "utf8"), id: "policy" }, { repo: "registry", path: ".github/blastgate.yml" });
    if (policy.kind === "invalid") throw new Error("the example's gate policy is invalid");
    const found: string[] = [];
    for (const name of await agentsWithSuites()) {
      const { dir, text, manifest } = await readAgent(name);
      const { suite } = await readSuite(dir, { repo: name, manifest });
      const at = { repo: `agents/${name}`, path: "agent.yaml", line: findSuiteSettingLine(text), agent: name };
      found.push(...checkEvalStandard(suite!, manifest.tier, policy.value.evalStandard, at).map(formatProblem));
    }
    expect(found).toEqual([
      "agent.yaml:13: error: the eval suite in evals has 5 cases; the gate policy's `evalStandard.minCases` asks production agents for at least 10. Add 5 more [lead-qualifier]",
    ]);
  });

  it("include refund-policy's own evals.json, which parses into rubric-graded cases", async () => {
    const parsed = await readSkillEvals(path.join(registry, "skills", "refund-policy"), { repo: "registry", skillPath: "skills/refund-policy", skill: "refund-policy", defaultTrials: 3 });
    expect(parsed?.problems).toEqual([]);
    expect(parsed?.suite?.cases.map((evalCase) => [evalCase.id, evalCase.tags, evalCase.assertions.map(({ assertion }) => assertion.type)])).toEqual([
      ["refund-policy-1", ["skill-eval"], ["rubric"]],
      ["refund-policy-2", ["skill-eval"], ["rubric"]],
      ["refund-policy-3", ["skill-eval"], ["rubric"]],
      ["refund-policy-other-card", ["skill-eval"], ["rubric"]],
    ]);
  });
});
