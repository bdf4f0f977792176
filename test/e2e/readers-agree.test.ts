import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadChange } from "../../app/cli/load-org.ts";
import { buildAffected, type AffectedFacts } from "../../app/core/registry/build-affected-report.ts";
import { buildOrgFacts } from "../../app/core/registry/build-org-facts.ts";
import { locateReport } from "../../app/core/report/locate-report.ts";
import { useExampleOrg } from "../helpers/example-org.ts";
import { readExampleAgents, readExampleRegistry } from "../helpers/memory-reader.ts";

const source = path.join(import.meta.dirname, "..", "..", "examples", "org");
const changes = ["default-model-switch", "overlay-breaker", "server-breaking-tool-change", "skill-minor-bump"];
const today = "2026-11-24";
const example = useExampleOrg("readers");


/** The report from the git reader (the CLI's), with repos named as the memory reader names them. */
async function fromGit(change: string) {
  const loaded = await loadChange({ registry: example.org.registry, agents: [example.org.agents] }, { base: "main", head: `change/${change}` });
  const built = buildAffected({ history: loaded.history, agents: loaded.agents, loadProblems: loaded.problems, refused: loaded.refused, refs: { base: "main", head: `change/${change}` }, today });
  const name = (repo: string) => (repo === example.org.registry ? "registry" : `agents/${path.relative(example.org.agents, repo)}`);
  return described(built, (at) => ({ repo: name(at.repo), file: `${name(at.repo)}/${at.path}` }));
}

/** The report from the in-memory reader over examples/org's source folders: no git at all. */
function fromMemory(change: string) {
  const built = buildOrgFacts({ ...readExampleRegistry(source, change), agents: readExampleAgents(source) });
  if (built.kind !== "ok") throw new Error("the example org is a registry");
  const { history, agents, problems, refused, policy } = built.facts;
  expect(policy.kind).toBe("ok");
  const facts: AffectedFacts = { history, agents, loadProblems: problems, refused, refs: { base: "main", head: `change/${change}` }, today };
  return described(buildAffected(facts), (at) => ({ repo: at.repo, file: `${at.repo}/${at.path}` }));
}

/** The report as shown, and every affected agent's closures (content ids included). */
function described(built: ReturnType<typeof buildAffected>, locate: Parameters<typeof locateReport>[1]) {
  const report = locateReport(built.report, locate);
  return { report, closures: report.affected.map((entry) => built.closureOf(entry.agent)) };
}

describe("two readers, one core", () => {
  it.each(changes)("builds the same report for change/%s from git and from memory", async (change) => {
    const git = await fromGit(change);
    // The comparison covers what matters: agents moved, problems, and the closures with their content ids.
    expect(git.report.affected.length).toBeGreaterThan(0);
    expect(git.closures[0]!.head.assets.length).toBeGreaterThan(0);
    expect(fromMemory(change)).toEqual(git);
  });
});
