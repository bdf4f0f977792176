import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readFileSync, symlinkSync, utimesSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { affectedReportJsonSchema as affectedReportSchema, type LocatedAffectedReport as AffectedReport } from "../../schemas/affected-report.schema.ts";
import { createTempOrg, modelsYaml, serverYaml, skillMd, type TempOrg } from "../helpers/git-registry.ts";

let org: TempOrg;

/** A registry with crm 2.0.0 → 2.1.0 and skills on top, and four agents. */
function seed(): void {
  org.write({ "models.yaml": modelsYaml(), "servers/crm/server.yaml": serverYaml("crm", "2.0.0"), "skills/tone-guide/SKILL.md": skillMd("tone-guide", "1.0.0", { sections: ["Voice", "Sign-offs"] }) });
  org.commit("crm 2.0.0", "servers/crm@2.0.0", "skills/tone-guide@1.0.0");
  org.write({
    "servers/crm/server.yaml": serverYaml("crm", "2.1.0"),
    "skills/onboarding/SKILL.md": skillMd("onboarding", "1.0.0", { requires: "server:crm@^2.0.0, skill:tone-guide@^1.0.0" }),
  });
  org.commit("crm 2.1.0, onboarding 1.0.0", "servers/crm@2.1.0", "skills/onboarding@1.0.0");
  org.writeAgent("direct", { name: "direct", team: "sales", tier: "production", servers: { crm: "^2.0.0" } });
  org.writeAgent("transitive", { name: "transitive", team: "support", tier: "staging", skills: { onboarding: "^1.0.0" } });
  org.writeAgent("pinned", { name: "pinned", team: "finance", tier: "production", model: "fast", servers: { crm: "~2.1.0" } });
  org.writeAgent("unrelated", { name: "unrelated", team: "ops", tier: "experimental", model: "claude-opus-5-5", skills: { "tone-guide": "^1.0.0" } });
}

async function affectedJson(...extra: string[]): Promise<{ code: number; report: AffectedReport; stderr: string }> {
  const { code, stdout, stderr } = await org.run(["affected", "--registry", ".", "--agents", "../agents", "--base", "main", "--format", "json", ...extra]);
  return { code, report: affectedReportSchema.parse(JSON.parse(stdout)), stderr };
}

beforeEach(() => {
  org = createTempOrg();
  seed();
});
afterEach(() => org.remove());

describe("blastgate affected", () => {
  it("reads the working tree as head by default, uncommitted and untracked files included", async () => {
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0"), "servers/billing/server.yaml": serverYaml("billing", "1.0.0") });
    const { code, report } = await affectedJson();
    expect(code).toBe(0);
    expect(report.head).toBe("WORKTREE");
    expect(report.changes.map((c) => [c.asset, c.from, c.to, c.bump, c.flags])).toEqual([
      ["server:billing", null, "1.0.0", null, ["added"]],
      ["server:crm", "2.1.0", "2.2.0", "minor", []],
    ]);
    expect(report.affected.map((a) => [a.agent, a.paths])).toEqual([
      ["direct", [["server:crm"]]],
      ["transitive", [["skill:onboarding", "server:crm"]]],
    ]);
    expect(report.unaffected.map((u) => [u.agent, u.range, u.version])).toEqual([["pinned", "~2.1.0", "2.1.0"]]);
  });

  it("sees a same-size edit that git's stat cache would miss", async () => {
    // The index says crm's file has this size and an old mtime (not "racily clean", so git
    // trusts it); the edit keeps size and mtime, and ctime is not trusted (a common setting).
    org.git("config", "core.trustctime", "false");
    const file = path.join(org.registry, "servers/crm/server.yaml");
    const past = new Date("2026-01-01T00:00:00Z");
    utimesSync(file, past, past);
    org.git("add", "servers/crm/server.yaml");
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.1.9") });
    utimesSync(file, past, past);
    const { report } = await affectedJson();
    expect(report.changes.map((c) => [c.asset, c.from, c.to])).toEqual([["server:crm", "2.1.0", "2.1.9"]]);
  });

  it("does not touch the user's index or branches when reading the working tree", async () => {
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0") });
    await affectedJson();
    expect(org.git("status", "--porcelain")).toBe(" M servers/crm/server.yaml\n");
    expect(org.git("branch", "--list").trim()).toBe("* main");
  });

  it("flags a change to an already-published version, resolves the head's content, and exits 1", async () => {
    org.git("checkout", "-q", "-b", "edit-in-place");
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.1.0", { description: "Edited without a bump" }) });
    org.commit("edit crm in place");
    const { code, report } = await affectedJson("--head", "edit-in-place");
    expect(code).toBe(1);
    expect(report.changes).toMatchObject([{ asset: "server:crm", from: "2.1.0", to: "2.1.0", bump: "none", flags: ["content-changed-without-bump"] }]);
    expect(report.affected.map((a) => [a.agent, a.moves])).toEqual([
      ["direct", [{ asset: "server:crm", from: "2.1.0", to: "2.1.0", contentChanged: true }]],
      ["pinned", [{ asset: "server:crm", from: "2.1.0", to: "2.1.0", contentChanged: true }]],
      ["transitive", [{ asset: "server:crm", from: "2.1.0", to: "2.1.0", contentChanged: true }]],
    ]);
    expect(report.problems.map((p) => `${p.file}:${p.line} @ ${p.ref}: ${p.message}`)).toEqual([
      "servers/crm/server.yaml:4 @ edit-in-place: server:crm@2.1.0 is already published (tag `servers/crm@2.1.0`) with other content; published versions are immutable, so bump the version",
    ]);
  });

  it("warns about a published tag that no longer parses, leaves that version out, and still exits 0", async () => {
    org.git("checkout", "-q", "-b", "old-release", "servers/crm@2.0.0");
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "1.9.0").replace("lifecycle: production", "lifecycle: ga") });
    org.commit("a release that today's schema rejects", "servers/crm@1.9.0");
    org.git("checkout", "-q", "main");
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0") });
    const { code, report } = await affectedJson();
    expect(code).toBe(0);
    expect(report.problems.map((p) => `${p.level} ${p.file}:${p.line} @ ${p.ref}: ${p.message}`)).toEqual([
      "warning servers/crm/server.yaml:6 @ servers/crm@1.9.0: expected `lifecycle` to be one of experimental, production, deprecated; got `ga` (published version servers/crm@1.9.0 is left out of resolution)",
    ]);
  });

  it("reports a manifest the change breaks, without calling the asset removed or moving anyone", async () => {
    org.write({ "servers/crm/server.yaml": "name: crm\nversion: [2.2.0\n" });
    const { code, report } = await affectedJson();
    expect(code).toBe(1);
    // Listed as touched, kept as it is at base: nobody moves, and the problem blocks.
    expect(report.changes.map((change) => [change.asset, change.from, change.to, change.flags, change.consumers])).toEqual([["server:crm", "2.1.0", "2.1.0", ["unreadable"], 3]]);
    expect(report.affected).toEqual([]);
    expect(report.problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
      expect.stringMatching(/^servers\/crm\/server\.yaml:2: is not valid YAML: /),
    ]);
  });

  it("prints JSON that the generated JSON Schema and the zod schema accept as it is", async () => {
    // Moves, held-back agents and problems: the command does not check its own output, so this does.
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "3.0.0"), "skills/tone-guide/SKILL.md": skillMd("tone-guide", "1.1.0", { sections: ["Voice"] }) });
    org.writeAgent("broken", { name: "broken", team: "ops", tier: "prod" });
    const { stdout } = await org.run(["affected", "--agents", "../agents", "--format", "json"]);
    const printed = JSON.parse(stdout) as AffectedReport;
    expect([printed.affected.length, printed.unaffected.length, printed.problems.length].every((count) => count > 0)).toBe(true);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const schema = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../schemas/generated/affected-report.schema.json"), "utf8"));
    const valid = ajv.validate(schema, printed);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // Nothing the schema would strip, default or reshape.
    expect(affectedReportSchema.parse(printed)).toStrictEqual(printed);
  });

  it("renders the PR comment as markdown", async () => {
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0", { scopes: ["crm.cases:delete"] }) });
    const { code, stdout } = await org.run(["affected", "--agents", "../agents", "--format", "markdown"]);
    expect(code).toBe(0);
    expect(stdout).toMatchInlineSnapshot(`
      "<!-- blastgate:affected -->
      ### blastgate: 2 agents affected by 1 change

      **2 affected agents** (1 production, 1 staging) · 1 pinned out · 4 agents read · 0 errors, 0 warnings — \`main\` → the working tree

      #### Changes

      | Asset | From → To | Bump | Flags | Consumers |
      | --- | --- | --- | --- | ---: |
      | \`server:crm\` | \`2.1.0\` → \`2.2.0\` | minor | \`scopes-added\` | 3 |

      - \`server:crm\`: scopes added: crm.cases:delete (security review)

      > [!WARNING]
      > **Security review:** 2 agents (\`direct\`, \`transitive\`) gain \`crm.cases:delete\` through \`server:crm\`.

      #### Affected agents

      <details open><summary><b>production</b> (1)</summary>

      | Agent | Team | Moves | Why |
      | --- | --- | --- | --- |
      | \`direct\` | sales | \`server:crm\` \`2.1.0\` → \`2.2.0\` | \`server:crm\` |

      </details>

      <details open><summary><b>staging</b> (1)</summary>

      | Agent | Team | Moves | Why |
      | --- | --- | --- | --- |
      | \`transitive\` | support | \`server:crm\` \`2.1.0\` → \`2.2.0\` | \`skill:onboarding\` → \`server:crm\` |

      </details>

      <details><summary>Blast radius graph</summary>

      \`\`\`mermaid
      graph LR
        classDef changed fill:#ffe3e3,stroke:#c92a2a
        classDef agent fill:#e7f5ff,stroke:#1c7ed6
        n0["direct"]:::agent
        n2["transitive"]:::agent
        n1["server:crm<br>2.1.0 → 2.2.0"]:::changed
        n3["skill:onboarding"]
        n0 --> n1
        n2 --> n3
        n3 --> n1
      \`\`\`

      </details>

      <details><summary>Pinned out of the change (1)</summary>

      | Agent | Tier | Asset | Stays on | Held by |
      | --- | --- | --- | --- | --- |
      | \`pinned\` | production | \`server:crm\` | \`2.1.0\` | \`~2.1.0\` |

      </details>

      <sub>Reproduce locally: \`npx blastgate affected --registry . --agents ../agents --base main\`</sub>
      "
    `);
  });

  it("reports a skill overlay that no longer applies after a heading is renamed", async () => {
    org.writeAgent(
      "overlaid",
      { name: "overlaid", team: "support", tier: "production", skills: { "tone-guide": { version: ">=1.0.0", overlay: "overlays/tone.md" } } },
      { "overlays/tone.md": "## Voice\n\nOur own voice.\n\n## Extra\n\nAppended.\n" },
    );
    org.write({ "skills/tone-guide/SKILL.md": skillMd("tone-guide", "2.0.0", { sections: ["Voice and register", "Sign-offs"] }) });
    const { code, report } = await affectedJson();
    expect(code).toBe(1);
    expect(report.problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
      "../agents/overlaid/overlays/tone.md:1: overlay no longer applies: it replaces `## Voice`, which skill:tone-guide@2.0.0 (was 1.0.0) no longer has, so the section would be appended instead. Rename the heading to match the skill's (`Voice and register`, `Sign-offs`), or pin the skill",
    ]);
  });

  it("reports the default-model switch for every agent on `default`, with the path through the model", async () => {
    org.write({ "models.yaml": modelsYaml("claude-opus-5-5") });
    const { report } = await affectedJson();
    expect(report.changes).toMatchObject([{ asset: "model:default", from: "claude-sonnet-5-5", to: "claude-opus-5-5", flags: ["model-retarget"], consumers: 2 }]);
    expect(report.affected.map((a) => [a.agent, a.paths])).toEqual([
      ["direct", [["model:default"]]],
      ["transitive", [["model:default"]]],
    ]);
  });

  it("keeps reading the other agents when one manifest is broken", async () => {
    org.writeAgent("broken", { name: "broken", team: "ops", tier: "prod", sevrers: { crm: "^2.0.0" } });
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.2.0") });
    const { code, report } = await affectedJson();
    expect(code).toBe(1);
    expect(report.affected.map((a) => a.agent)).toEqual(["direct", "transitive"]);
    expect(report.problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
      "../agents/broken/agent.yaml:3: expected `tier` to be one of production, staging, experimental; got `prod`",
      "../agents/broken/agent.yaml:4: unknown key `sevrers`; did you mean `servers`?",
    ]);
  });

  it.each([
    [["affected", "--registry", "."], "blastgate: required option '--agents <dir>' not specified (run `blastgate --help` for usage)"],
    [["affected", "--agents", "../agents", "--base", "nope"], "blastgate: `nope` is not a commit in the registry repository (.); fetch it (`git fetch origin nope`) or name another branch, tag or commit"],
    [["affected", "--agents", "../agents", "--base", "--output=/tmp/x"], "blastgate: `--output=/tmp/x` is not a commit in the registry repository (.); fetch it (`git fetch origin --output=/tmp/x`) or name another branch, tag or commit"],
    [["affected", "--agents", "../agents", "--format", "yaml"], "blastgate: option '--format <format>' argument 'yaml' is invalid. Allowed choices are text, json, markdown. (run `blastgate --help` for usage)"],
    [["affected", "--agents", "../nowhere"], "blastgate: --agents ../nowhere does not exist; --agents names one agent repo or a folder of agent repos"],
    [["affected", "--agents", "../agents/direct/agent.yaml"], "blastgate: --agents ../agents/direct/agent.yaml is a file, not a folder; --agents names one agent repo or a folder of agent repos"],
    [["affected", "--agents", "servers"], "blastgate: --agents servers holds no agent.yaml, and none of its folders does; --agents names one agent repo or a folder of agent repos"],
    [["affected", "--registry", "../nowhere", "--agents", "../agents"], "blastgate: --registry ../nowhere does not exist; point --registry at a clone of the registry"],
    [["affected", "--registry", "../agents/direct/agent.yaml", "--agents", "../agents"], "blastgate: --registry ../agents/direct/agent.yaml is a file, not a folder; point --registry at a clone of the registry"],
    [["frobnicate"], "blastgate: unknown command 'frobnicate' (run `blastgate --help` for usage)"],
  ])("exits 2 with one usage line, paths relative to where it runs, for %j", async (argv, message) => {
    expect(await org.run(argv)).toEqual({ code: 2, stdout: "", stderr: `${message}\n` });
  });

  it("names a ref that spans lines, still in one line", async () => {
    const { code, stderr } = await org.run(["affected", "--agents", "../agents", "--head", "main\nHEAD"]);
    expect(code).toBe(2);
    expect(stderr).toBe("blastgate: `main HEAD` is not a commit in the registry repository (.); fetch it (`git fetch origin main HEAD`) or name another branch, tag or commit\n");
  });

  it.each([["a range", "main..main"], ["a tree", "main^{tree}"], ["a path", "servers"]])("refuses %s as a ref, as it refuses a ref that does not exist", async (_what, ref) => {
    const { code, stderr } = await org.run(["affected", "--agents", "../agents", "--base", ref, "--head", "main"]);
    expect(code).toBe(2);
    expect(stderr).toBe(`blastgate: \`${ref}\` is not a commit in the registry repository (.); fetch it (\`git fetch origin ${ref}\`) or name another branch, tag or commit\n`);
  });

  it("names the registry relative to where it runs when a ref does not exist", async () => {
    const { code, stderr } = await org.run(["affected", "--registry", "registry", "--agents", "agents", "--base", "nope"], org.root);
    expect(code).toBe(2);
    expect(stderr).toBe("blastgate: `nope` is not a commit in the registry repository (registry); fetch it (`git fetch origin nope`) or name another branch, tag or commit\n");
  });

  it("exits 2 when the registry is not a git repository, naming it relative to where it runs", async () => {
    expect(await org.run(["affected", "--registry", "../agents", "--agents", "../agents"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "blastgate: --registry ../agents is not inside a git repository; blastgate reads published versions from the registry's tags, so point --registry at a clone of the registry\n",
    });
  });
});

describe("blastgate validate", () => {
  it("passes a clean registry and its agents", async () => {
    const { code, stdout } = await org.run(["validate", "--agents", "../agents"]);
    expect(stdout).toBe("blastgate validate: 3 assets and 4 agents read, 0 files refused; 0 errors, 0 warnings\n");
    expect(code).toBe(0);
  });

  it("lists every problem as file:line and exits 1", async () => {
    org.write({
      "servers/warehouse/server.yaml": serverYaml("warehous", "1.0.0"),
      "skills/a/SKILL.md": skillMd("a", "1.0.0", { requires: "skill:b@^1.0.0" }),
      "skills/b/SKILL.md": skillMd("b", "1.0.0", { requires: "skill:a@^1.0.0, server:nope@^1.0.0" }),
    });
    org.writeAgent("wants-too-much", { name: "wants-too-much", team: "ops", tier: "staging", servers: { crm: "^3.0.0" } });
    const { code, stdout } = await org.run(["validate", "--agents", "../agents"]);
    expect(code).toBe(1);
    expect(stdout.split("\n")).toEqual([
      "../agents/wants-too-much/agent.yaml:5: error: is unsatisfiable: no version of server:crm satisfies `^3.0.0` from agent.yaml; published versions are 2.1.0, 2.0.0. Widen a range or publish a version that fits [wants-too-much]",
      "servers/warehouse/server.yaml:1: error: expected `name` to be `warehouse`, the server's folder; got `warehous`. Rename the folder or the server so they match",
      "skills/b/SKILL.md:7: error: dependency cycle skill:a → skill:b → skill:a; remove one of these requirements",
      "skills/b/SKILL.md:7: error: skill:b requires server:nope, but server:nope does not exist in the registry; fix the name, or publish the asset first",
      "blastgate validate: 5 assets and 5 agents read, 1 file refused; 4 errors, 0 warnings",
      "",
    ]);
  });

  it("refuses an overlay that a symlink points outside the agent repo", async () => {
    org.writeAgent("sneaky", { name: "sneaky", team: "ops", tier: "staging", skills: { "tone-guide": { version: "^1.0.0", overlay: "overlays/tone.md" } } }, { "overlays/.keep": "" });
    symlinkSync(path.join(org.registry, "models.yaml"), path.join(org.agents, "sneaky/overlays/tone.md"));
    const { code, stdout } = await org.run(["validate", "--agents", "../agents"]);
    expect(code).toBe(1);
    expect(stdout).toContain("../agents/sneaky/agent.yaml:7: error: overlay `overlays/tone.md` resolves outside the agent repo; keep overlays inside it [sneaky]");
  });
});
