import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempOrg, modelsYaml, serverYaml, skillMd, type TempOrg } from "../helpers/git-registry.ts";

let org: TempOrg;

beforeEach(() => {
  org = createTempOrg();
  org.write({ "models.yaml": modelsYaml(), "servers/crm/server.yaml": serverYaml("crm", "2.0.0"), "skills/tone-guide/SKILL.md": skillMd("tone-guide", "1.0.0") });
  org.commit("first releases", "servers/crm@2.0.0", "skills/tone-guide@1.0.0");
  org.writeAgent("support", { name: "support", team: "cx", tier: "production", servers: { crm: "^2.0.0" }, skills: { "tone-guide": "^1.0.0" } });
});
afterEach(() => org.remove());

const validate = (...extra: string[]) => org.run(["validate", "--agents", "../agents", ...extra]);
const bigSkill = (name: string, version: string, bytes: number) => skillMd(name, version, { body: `${"x".repeat(bytes)}\n\n` });

describe("files over the size cap", () => {
  it("reports a 6 MB SKILL.md in the tree with its size, the limit and the fix, and counts it as refused", async () => {
    org.write({ "skills/huge/SKILL.md": bigSkill("huge", "1.0.0", 6 * 1024 * 1024) });
    const { code, stdout } = await validate();
    expect(code).toBe(1);
    expect(stdout.split("\n")).toEqual([
      "skills/huge/SKILL.md:1: error: is 6 MiB, over the 1 MiB limit for a SKILL.md, so it was not read; keep SKILL.md to its instructions and move long material into files under references/ (they are part of the skill's content but are not parsed)",
      "blastgate validate: 2 assets and 1 agent read, 1 file refused; 1 error, 0 warnings",
      "",
    ]);
  });

  it("measures the whole file, not only the frontmatter: 1.1 MB of body is refused", async () => {
    org.write({ "skills/long/SKILL.md": bigSkill("long", "1.0.0", 1.1 * 1024 * 1024) });
    const { stdout } = await validate();
    expect(stdout).toContain("skills/long/SKILL.md:1: error: is 1.1 MiB, over the 1 MiB limit for a SKILL.md");
  });

  it("warns about an oversized published version, leaves it out, and says so when an agent needs it", async () => {
    org.write({ "skills/huge/SKILL.md": bigSkill("huge", "1.0.0", 2 * 1024 * 1024) });
    org.commit("huge 1.0.0", "skills/huge@1.0.0");
    org.write({ "skills/huge/SKILL.md": null });
    org.commit("drop it from the tree");
    org.writeAgent("needs-huge", { name: "needs-huge", team: "cx", tier: "staging", skills: { huge: "^1.0.0" } });
    const { stdout } = await validate();
    expect(stdout.split("\n").filter((line) => line.includes("huge"))).toEqual([
      "../agents/needs-huge/agent.yaml:5: error: is unsatisfiable: no version of skill:huge satisfies `^1.0.0` from agent.yaml; skill:huge exists, but every published version is left out as invalid (skills/huge/SKILL.md:1 at skills/huge@1.0.0: is 2 MiB, over the 1 MiB limit for a SKILL.md, so it was not read; keep SKILL.md to its instructions and move long material into files under references/ (they are part of the skill's content but are not parsed)). Publish a fixed version [needs-huge]",
      "skills/huge/SKILL.md:1 (at skills/huge@1.0.0): warning: is 2 MiB, over the 1 MiB limit for a SKILL.md, so it was not read; keep SKILL.md to its instructions and move long material into files under references/ (they are part of the skill's content but are not parsed) (published version skills/huge@1.0.0 is left out of resolution)",
    ]);
  });
});

describe("one cause, one message", () => {
  it("names a folder that is not the registry's root once, exit 2, instead of an error per tag", async () => {
    const { code, stdout, stderr } = await org.run(["validate", "--registry", ".", "--agents", "../../agents"], `${org.registry}/servers`);
    expect([code, stdout]).toEqual([2, ""]);
    expect(stderr).toBe(
      "blastgate: . is not the root of a registry: it holds no models.yaml, servers/ or skills/ at the working tree. Use the folder that holds models.yaml, servers/ and skills/\n",
    );
  });

  it("names a git repository that is not a registry once, for affected too", async () => {
    org.write({ "models.yaml": null, "servers/crm/server.yaml": null, "skills/tone-guide/SKILL.md": null, "README.md": "not a registry\n" });
    org.commit("empty it");
    const { code, stderr } = await org.run(["affected", "--agents", "../agents", "--base", "main", "--head", "main"]);
    expect(code).toBe(2);
    expect(stderr).toBe("blastgate: . is not the root of a registry: it holds no models.yaml, servers/ or skills/ at main. Use the folder that holds models.yaml, servers/ and skills/\n");
  });

  it("reports a models.yaml the change breaks once, without moving or failing every agent on `default`", async () => {
    org.write({ "models.yaml": "default: [claude-sonnet-5-5\n" });
    const { code, stdout } = await org.run(["affected", "--agents", "../agents", "--format", "text"]);
    expect(code).toBe(1);
    const problems = stdout.slice(stdout.indexOf("Problems")).trim().split("\n").slice(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ {2}models\.yaml:1: error: is not valid YAML/);
    expect(stdout).toContain("0 agents affected");
  });

  it("reports a broken models.yaml once in validate, not once per agent", async () => {
    org.write({ "models.yaml": "default: 42\n" });
    const { stdout } = await validate();
    expect(stdout.split("\n").filter((line) => line.includes(": error:"))).toEqual(["models.yaml:1: error: expected `default` to be text; got the number `42`. Quote it: `\"42\"`"]);
  });
});

describe("the gate policy", () => {
  it("reports an invalid policy at its file and line, never falling back to defaults silently", async () => {
    org.write({ ".github/blastgate.yml": "statistics:\n  alpha: 2\n" });
    org.commit("a policy");
    const { code, stdout } = await org.run(["affected", "--agents", "../agents", "--format", "text"]);
    expect(code).toBe(1);
    expect(stdout).toContain(".github/blastgate.yml:2 (at main): error: expected `statistics.alpha` to be");
  });
});

describe("files where an asset folder belongs", () => {
  it("warns about a server written as a file instead of a folder, and leaves READMEs alone", async () => {
    org.write({ "servers/billing.yaml": serverYaml("billing", "1.0.0"), "servers/README.md": "# Servers\n" });
    const { stdout } = await validate();
    expect(stdout.split("\n")).toEqual([
      "servers/billing.yaml:1: warning: is a file, so no asset is read from it: each one lives in its own folder, as `servers/<name>/server.yaml`. Move it into a folder or remove it",
      "blastgate validate: 2 assets and 1 agent read, 1 file refused; 0 errors, 1 warning",
      "",
    ]);
  });
});

describe("the root cause, first and once", () => {
  it("puts models.yaml's error before the agents' problems", async () => {
    org.write({ "models.yaml": "default: 42\n" });
    org.writeAgent("broken", { name: "broken", team: "cx", tier: "prod" });
    const { stdout } = await validate();
    expect(stdout.split("\n").filter((line) => line.includes(": error:")).map((line) => line.slice(0, line.indexOf(":")))).toEqual(["models.yaml", "../agents/broken/agent.yaml"]);
  });

  it("reports a disallowed default once, at models.yaml with the likely id, not once per agent on `default`", async () => {
    org.write({ "models.yaml": "default: claude-sonet-5-5\nallowed: [claude-sonnet-5-5, claude-haiku-5-5]\naliases: { fast: claude-haiku-5-5 }\n" });
    const { stdout } = await validate();
    expect(stdout.split("\n").filter((line) => line.includes(": error:"))).toEqual([
      "models.yaml:1: error: the default model `claude-sonet-5-5` is not in `allowed`; did you mean `claude-sonnet-5-5`? Otherwise add it to `allowed`",
    ]);
  });

  it("does not repeat a broken manifest as 'does not exist' for the agents that need it", async () => {
    org.write({ "skills/new-skill/SKILL.md": "---\nname: new-skill\ndescription: New.\n---\n\n## Steps\n" });
    org.writeAgent("wants-new", { name: "wants-new", team: "cx", tier: "staging", skills: { "new-skill": "^1.0.0" } });
    const { stdout } = await validate();
    expect(stdout.split("\n").filter((line) => line.includes(": error:"))).toEqual([
      expect.stringMatching(/^skills\/new-skill\/SKILL\.md:2: error: `metadata` is missing/),
    ]);
  });
});

describe("folder names", () => {
  it("refuses a folder that is not a valid asset name, and a line break in one shifts no other file", async () => {
    org.write({ "servers/a\nb/server.yaml": serverYaml("a", "1.0.0"), "skills/tone guide/SKILL.md": skillMd("tone-guide", "1.0.0") });
    org.commit("odd folders");
    const { stdout } = await org.run(["validate", "--agents", "../agents", "--ref", "main", "--format", "json"]);
    const { problems } = JSON.parse(stdout) as { problems: { path: string; code: string; message: string }[] };
    // Only the two odd folders: crm and tone-guide are read as themselves, no answer shifted onto another file.
    expect(problems.map((problem) => [problem.path, problem.code, problem.message])).toEqual([
      ["servers/a\nb", "bad-folder-name", "is not a valid server name: use lowercase letters, digits and single hyphens, like `tone-guide`; rename the folder (and the server's `name`)"],
      ["skills/tone guide", "bad-folder-name", "is not a valid skill name: use lowercase letters, digits and single hyphens, like `tone-guide`; rename the folder (and the skill's `name`)"],
    ]);
  });
});

describe("sizes at the limit", () => {
  it("gives exact byte counts when the size rounds to the limit", async () => {
    const text = skillMd("tone-guide", "1.0.1");
    org.write({ "skills/tone-guide/SKILL.md": text + "x".repeat(1024 * 1024 + 1 - Buffer.byteLength(text)) });
    const { stdout } = await validate();
    expect(stdout).toContain("skills/tone-guide/SKILL.md:1: error: is 1,048,577 bytes, over the 1,048,576-byte limit for a SKILL.md");
  });
});

describe("tags", () => {
  it("warns about a tag whose name is not a release's, by the tag's name, and about one whose version disagrees", async () => {
    org.git("tag", "servers/crm-v2");
    org.git("tag", "servers/crm@2.0.1");
    const { stdout } = await validate();
    expect(stdout.split("\n").filter((line) => line.includes("warning"))).toEqual([
      "refs/tags/servers/crm-v2:1: warning: tag `servers/crm-v2` is not `servers/<name>@<version>` or `skills/<name>@<version>` with an exact semver version; it is ignored",
      "servers/crm/server.yaml:4 (at servers/crm@2.0.1): warning: tag `servers/crm@2.0.1` holds version 2.0.0; the tag and the version must agree, so re-tag the right commit (published version servers/crm@2.0.1 is left out of resolution)",
      "blastgate validate: 2 assets and 1 agent read, 1 file refused; 0 errors, 2 warnings",
    ]);
  });
});

describe("YAML mistakes", () => {
  it("names the key given twice, and lists the types a remote may have", async () => {
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.0.1") + "owner: twice\n" });
    org.write({ "servers/billing/server.yaml": serverYaml("billing", "1.0.0") + "remotes:\n  - type: websocket\n    url: https://billing.example/mcp\n" });
    const { stdout } = await validate();
    expect(stdout.split("\n").filter((line) => line.includes(": error:"))).toEqual([
      "servers/billing/server.yaml:10: error: expected `remotes[0].type` to be one of streamable-http, sse; got `websocket`",
      expect.stringMatching(/^servers\/crm\/server\.yaml:\d+: error: gives the key `owner` twice in the same mapping; keep one$/),
    ]);
  });
});
