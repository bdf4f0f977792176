import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatProblem } from "../../app/core/report/render-text.ts";
import { sha256Hex } from "../../app/evals/hash.ts";
import { listSuiteFiles, readSkillEvals, readSuite } from "../../app/load/read-suite.ts";
import { suiteContent } from "../../app/core/evals/parse-suite.ts";

let root: string;
let repo: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "blastgate-read-suite-"));
  repo = path.join(root, "agent");
  await mkdir(repo);
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function write(relative: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(repo, relative)), { recursive: true });
  await writeFile(path.join(repo, relative), text);
}

const manifest = "# triage\nname: triage\nteam: support\ntier: production\nevals:\n  trials: 4\n  suite: cases\n";
const evals = { suite: "cases", trials: 4, runner: { type: "builtin" as const, maxTurns: 10 }, thresholds: {} };
const caseFile = (id: string) => `cases:\n  - id: ${id}\n    input: hi\n`;

describe("readSuite", () => {
  it("reads the suite folder's YAML recursively, sorted by path, skipping hidden files and leaving the README aside", async () => {
    await write("agent.yaml", manifest);
    await write("cases/b.yaml", caseFile("b"));
    await write("cases/a.yml", caseFile("a"));
    await write("cases/billing/c.yaml", caseFile("c"));
    await write("cases/README.md", "# cases");
    await write("cases/.draft.yaml", "not: [valid");
    await write("cases/.wip/d.yaml", caseFile("d"));
    const { suite, problems } = await readSuite(repo, { repo: "agent", manifest: { evals } });
    expect(problems).toEqual([]);
    expect(suite!.cases.map((c) => [c.file, c.id, c.trials])).toEqual([
      ["cases/a.yml", "a", 4],
      ["cases/b.yaml", "b", 4],
      ["cases/billing/c.yaml", "c", 4],
    ]);
    const hashed = [["cases/a.yml", caseFile("a")], ["cases/b.yaml", caseFile("b")], ["cases/billing/c.yaml", caseFile("c")]].map(([p, text]) => ({ path: p!, text: text! }));
    expect(suite!.hash).toBe(sha256Hex(suiteContent(hashed)));
    expect(suite!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reports a missing suite folder at agent.yaml's `evals.suite` line", async () => {
    await write("agent.yaml", manifest);
    const { suite, problems } = await readSuite(repo, { repo: "agent", manifest: { evals }, agent: "triage" });
    expect([suite, problems.map(formatProblem)]).toEqual([null, [
      "agent.yaml:7: error: names the eval suite folder `cases`, which does not exist in the agent repo; create it with a YAML file of cases (like `cases/cases.yaml`), or fix the path [triage]",
    ]]);
  });

  it("reports a missing default folder at line 1 when agent.yaml has no `evals` section, and uses 3 trials by default", async () => {
    await write("agent.yaml", "# triage\nname: triage\nteam: support\ntier: production\n");
    expect((await readSuite(repo, { repo: "agent", manifest: {} })).problems.map(formatProblem)).toEqual([
      "agent.yaml:1: error: sets no `evals.suite`, so the eval suite is the default folder `evals`, which does not exist in the agent repo; create it with a YAML file of cases (like `evals/cases.yaml`), or set `evals.suite`",
    ]);
    await write("evals/a.yaml", caseFile("a"));
    expect((await readSuite(repo, { repo: "agent", manifest: {} })).suite?.cases[0]?.trials).toBe(3);
  });

  it("reports a folder with only a README where agent.yaml names it", async () => {
    await write("agent.yaml", manifest);
    await write("cases/README.md", "# to do");
    expect((await readSuite(repo, { repo: "agent", manifest: { evals } })).problems.map(formatProblem)).toEqual([
      "agent.yaml:7: error: has no eval suite: `evals.suite` is `cases`, and that folder has no YAML files (it holds `README.md`, but no .yaml or .yml file). Add one, such as `cases/cases.yaml` with `cases: [{id, input, assert}]`, or point `evals.suite` at the folder that holds them",
    ]);
  });

  it("reports a suite path that is a file", async () => {
    await write("agent.yaml", manifest);
    await write("cases", "cases: []\n");
    expect((await readSuite(repo, { repo: "agent", manifest: { evals } })).problems.map(formatProblem)).toEqual([
      "agent.yaml:7: error: names the eval suite folder `cases`, but that is a file; point `evals.suite` at the folder that holds the suite's YAML files",
    ]);
  });

  it("refuses a file over the size cap and a symlink out of the repo, and then gives no suite", async () => {
    await write("agent.yaml", manifest);
    await write("cases/a.yaml", caseFile("a"));
    await write("cases/huge.yaml", `cases:\n  - id: huge\n    input: "${"x".repeat(1024 * 1024)}"\n`);
    await writeFile(path.join(root, "outside.yaml"), caseFile("outside"));
    await symlink(path.join(root, "outside.yaml"), path.join(repo, "cases", "linked.yaml"));
    const { suite, problems } = await readSuite(repo, { repo: "agent", manifest: { evals } });
    expect([suite, problems.map(formatProblem)]).toEqual([null, [
      "cases/huge.yaml:1: error: is 1,048,610 bytes, over the 1,048,576-byte limit for an eval suite file, so it was not read; an eval suite file should be a small text file",
      "cases/linked.yaml:1: error: is a symlink that leads outside the agent repo, so it was not read; keep suite files inside the repo",
    ]]);
  });

  it("follows a symlink that stays in the repo, and reads a folder reached twice once", async () => {
    await write("agent.yaml", manifest);
    await write("shared/common.yaml", caseFile("common"));
    await mkdir(path.join(repo, "cases"));
    await symlink(path.join(repo, "shared"), path.join(repo, "cases", "shared"));
    await symlink(path.join(repo, "cases"), path.join(repo, "cases", "loop"));
    const { suite, problems } = await readSuite(repo, { repo: "agent", manifest: { evals } });
    expect([problems, suite!.cases.map((c) => c.file)]).toEqual([[], ["cases/shared/common.yaml"]]);
  });

  it("passes on the parser's problems with their files and lines", async () => {
    await write("agent.yaml", manifest);
    await write("cases/a.yaml", caseFile("a"));
    await write("cases/b.yaml", `# again\n${caseFile("a")}`);
    expect((await readSuite(repo, { repo: "agent", manifest: { evals } })).problems.map(formatProblem)).toEqual([
      "cases/b.yaml:3: error: repeats the case id `a` of cases/a.yaml:2; case ids are unique in a suite (results pair trials by them), so rename one",
    ]);
  });
});

describe("listSuiteFiles", () => {
  it("lists a suite at the repo's root with paths relative to it", async () => {
    await write("a.yaml", caseFile("a"));
    const listed = await listSuiteFiles(repo, ".");
    expect(listed.kind === "ok" && listed.files.map((file) => file.path)).toEqual(["a.yaml"]);
  });

  it("refuses a suite folder that leads out of the repo", async () => {
    await mkdir(path.join(root, "elsewhere"));
    await symlink(path.join(root, "elsewhere"), path.join(repo, "evals"));
    expect(await listSuiteFiles(repo, "evals")).toEqual({ kind: "path-escape" });
  });
});

describe("readSkillEvals", () => {
  const skillDir = () => path.join(repo, "skills", "refund-policy");
  const options = { repo: "registry", skillPath: "skills/refund-policy", skill: "refund-policy", defaultTrials: 2 };

  it("reads a skill's evals/evals.json into a suite named by its path in the repo", async () => {
    const text = JSON.stringify({ skill_name: "refund-policy", evals: [{ id: 1, prompt: "Refund $20", expected_output: "Refunds after checking the invoice" }] }, null, 2);
    await write("skills/refund-policy/evals/evals.json", text);
    const parsed = await readSkillEvals(skillDir(), options);
    expect([parsed?.problems, parsed?.suite?.path, parsed?.suite?.cases.map((c) => [c.id, c.file, c.line]), parsed?.suite?.hash]).toEqual([
      [],
      "skills/refund-policy/evals/evals.json",
      [["refund-policy-1", "skills/refund-policy/evals/evals.json", 4]],
      sha256Hex(suiteContent([{ path: "skills/refund-policy/evals/evals.json", text }])),
    ]);
  });

  it("gives null for a skill without evals, and a problem for a folder where the file should be", async () => {
    await mkdir(skillDir(), { recursive: true });
    expect(await readSkillEvals(skillDir(), options)).toBeNull();
    await mkdir(path.join(skillDir(), "evals", "evals.json"), { recursive: true });
    expect((await readSkillEvals(skillDir(), options))?.problems.map(formatProblem)).toEqual([
      "skills/refund-policy/evals/evals.json:1: error: is not a file; a skill's evals are the JSON file evals/evals.json",
    ]);
  });
});
