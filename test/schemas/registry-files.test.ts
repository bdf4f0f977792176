import { describe, expect, it } from "vitest";
import { parseModelsConfig, parseOverlay, parseServerManifest, parseSkillFile } from "../../app/core/registry/parse-manifests.ts";
import { formatProblem } from "../../app/core/report/render-text.ts";
import { parseGatePolicy } from "../../app/core/gate/parse-gate-policy.ts";

/** The gate policy parsed from text, as a value and its problems. */
function parseGateConfig(file: { repo: string; path: string; text: string }) {
  const policy = parseGatePolicy({ kind: "text", text: file.text, id: "test" }, file);
  return { value: policy.kind === "invalid" ? null : policy.value, problems: policy.kind === "invalid" ? policy.problems : [] };
}

const server = `name: crm
title: CRM
description: Accounts, contacts and cases.
version: 2.1.0
owner: platform-crm
lifecycle: production
remotes:
  - type: streamable-http
    url: https://crm.mcp.example.com/mcp
scopes: [crm.cases:read, crm.cases:write]
tools:
  - name: get_case
    description: Fetch one case by id.
    inputSchema:
      type: object
      properties:
        case_id: { type: string }
      required: [case_id]
    scopes: [crm.cases:read]
dependsOn:
  servers:
    auth: ^1.0.0
`;

const skill = `---
name: tone-guide
description: How we write to customers. Use for every customer-facing reply.
license: Apache-2.0
allowed-tools: Read
metadata:
  version: 1.1.0
  owner: support-platform
  requires: "server:crm@^2.1.0, skill:glossary@~1.0.0"
---

# Tone guide

## Voice

Plain and warm.

\`\`\`md
## Not a heading (inside a fence)
\`\`\`

## Sign-offs

Thanks, the team.
`;

const lines = (problems: readonly Parameters<typeof formatProblem>[0][]) => problems.map(formatProblem);

describe("server.yaml", () => {
  it("parses a valid entry with its requirements and tool contract", () => {
    const parsed = parseServerManifest({ repo: ".", path: "servers/crm/server.yaml", text: server }, "crm");
    expect(lines(parsed.problems)).toEqual([]);
    expect(parsed.value?.requires.map((r) => `${r.asset}@${r.range}:${r.line}`)).toEqual(["server:auth@^1.0.0:22"]);
    expect(parsed.value?.server?.tools.map((t) => t.name)).toEqual(["get_case"]);
  });

  it.each([
    ["a name that differs from the folder", server, "crm-v2", ["servers/crm/server.yaml:1: error: expected `name` to be `crm-v2`, the server's folder; got `crm`. Rename the folder or the server so they match"]],
    ["a version range instead of a version", server.replace("version: 2.1.0", "version: ^2.1.0"), "crm", ["servers/crm/server.yaml:4: error: expected `version` to be an exact semantic version such as `2.1.0` or `3.0.0-rc.1` (no `v`, no range); got `^2.1.0`"]],
    ["a description over the MCP registry's 100 characters", server.replace("Accounts, contacts and cases.", "x".repeat(101)), "crm", ["servers/crm/server.yaml:3: error: `description` is too long: at most 100 characters, got 101; shorten it"]],
    ["a tool scope the server does not declare", server.replace("    scopes: [crm.cases:read]", "    scopes: [crm.cases:delete]"), "crm", ["servers/crm/server.yaml:19: error: tool `get_case` needs scope `crm.cases:delete`, which the server's `scopes` does not list; add it there or fix the name"]],
    ["a tool input that is not an object schema", server.replace("      type: object", "      type: string"), "crm", ["servers/crm/server.yaml:15: error: expected `tools[0].inputSchema.type` to be `object` (MCP tool inputs are objects); got `string`"]],
    ["an unknown lifecycle", server.replace("lifecycle: production", "lifecycle: ga"), "crm", ["servers/crm/server.yaml:6: error: expected `lifecycle` to be one of experimental, production, deprecated; got `ga`"]],
    ["a blank description", server.replace("description: Accounts, contacts and cases.", "description: '   '"), "crm", ["servers/crm/server.yaml:3: error: `description` is only whitespace; fill it in"]],
    ["an SSE remote that is not a URL", server.replace("type: streamable-http", "type: sse").replace("https://crm.mcp.example.com/mcp", "crm.internal"), "crm", ["servers/crm/server.yaml:9: error: expected `remotes[0].url` to be an `http://` or `https://` URL without spaces, like `https://mcp.example.com/mcp` or the template `https://{tenant}.example.com/mcp`; got `crm.internal`"]],
    ["a remote with a misspelled key", server.replace("    url: https://crm.mcp.example.com/mcp", "    url: https://crm.mcp.example.com/mcp\n    header: []"), "crm", ["servers/crm/server.yaml:10: warning: unknown key `header` in `remotes[0]`; did you mean `headers`? It is kept, and exported as written"]],
    ["a server without a title", server.replace("title: CRM\n", ""), "crm", []],
    ["a name that differs from the folder together with a schema error", server.replace("version: 2.1.0", "version: 2.1"), "crm-v2", [
      "servers/crm/server.yaml:4: error: expected `version` to be an exact semantic version such as `2.1.0` or `3.0.0-rc.1` (no `v`, no range); got `2.1`",
      "servers/crm/server.yaml:1: error: expected `name` to be `crm-v2`, the server's folder; got `crm`. Rename the folder or the server so they match",
    ]],
    ["a name that differs from the folder together with an undeclared tool scope", server.replace("    scopes: [crm.cases:read]", "    scopes: [crm.cases:delete]"), "crm-v2", [
      "servers/crm/server.yaml:1: error: expected `name` to be `crm-v2`, the server's folder; got `crm`. Rename the folder or the server so they match",
      "servers/crm/server.yaml:19: error: tool `get_case` needs scope `crm.cases:delete`, which the server's `scopes` does not list; add it there or fix the name",
    ]],
    ["a package with a misspelled key", server.replace("remotes:\n  - type: streamable-http\n    url: https://crm.mcp.example.com/mcp", "packages:\n  - registryType: npm\n    identifier: '@acme/crm-mcp'\n    verison: 2.1.0\n    transport: { type: stdio }"), "crm", ["servers/crm/server.yaml:10: warning: unknown key `verison` in `packages[0]`; did you mean `version`? It is kept, and exported as written"]],
  ])("reports %s", (_name, text, folder, expected) => {
    expect(lines(parseServerManifest({ repo: ".", path: "servers/crm/server.yaml", text }, folder).problems)).toEqual(expected);
  });
});

describe("SKILL.md", () => {
  it("parses the frontmatter, the requires list and the headings outside code fences", () => {
    const parsed = parseSkillFile({ repo: ".", path: "skills/tone-guide/SKILL.md", text: skill }, "tone-guide");
    expect(lines(parsed.problems)).toEqual([]);
    expect(parsed.value?.requires.map((r) => `${r.asset}@${r.range}:${r.line}`)).toEqual(["server:crm@^2.1.0:9", "skill:glossary@~1.0.0:9"]);
    expect(parsed.value?.skill?.headings).toEqual(["Voice", "Sign-offs"]);
    expect(parsed.value?.versionLine).toBe(7);
  });

  it("accepts a description of 1,024 emoji: limits count characters (code points), not UTF-16 units", () => {
    const text = skill.replace("How we write to customers. Use for every customer-facing reply.", "😀".repeat(1024));
    expect(lines(parseSkillFile({ repo: ".", path: "skills/tone-guide/SKILL.md", text }, "tone-guide").problems)).toEqual([]);
  });

  it.each([
    ["no frontmatter", "# Tone guide\n", ["skills/tone-guide/SKILL.md:1: error: has no YAML frontmatter; start SKILL.md with `---`, then `name`, `description`, `metadata.version` and `metadata.owner`, then `---` (like `metadata: { version: 1.0.0, owner: support-platform }`)"]],
    ["no metadata block, in one problem naming what it needs", skill.replace(/metadata:\n(  .*\n)+/, ""), [
      "skills/tone-guide/SKILL.md:2: error: `metadata` is missing; add it with `metadata.version` and `metadata.owner`, like `metadata: { version: 1.0.0, owner: support-platform }`",
    ]],
    ["an empty metadata block", skill.replace(/metadata:\n(  .*\n)+/, "metadata:\n"), [
      "skills/tone-guide/SKILL.md:6: error: `metadata` is empty; add `metadata.version` and `metadata.owner`, like `metadata: { version: 1.0.0, owner: support-platform }`",
    ]],
    ["a description of only whitespace", skill.replace("How we write to customers. Use for every customer-facing reply.", '"   "'), ["skills/tone-guide/SKILL.md:3: error: `description` is only whitespace; fill it in"]],
    ["an empty compatibility", skill.replace("license: Apache-2.0", "license: Apache-2.0\ncompatibility: ''"), ["skills/tone-guide/SKILL.md:5: error: `compatibility` is empty; fill it in"]],
    ["1,025 emoji in the description, counted as characters (code points)", skill.replace("How we write to customers. Use for every customer-facing reply.", "😀".repeat(1025)), ["skills/tone-guide/SKILL.md:3: error: `description` is too long: at most 1024 characters, got 1025; shorten it"]],
    ["a number where a version is due, by what was written", skill.replace("version: 1.1.0", "version: 1.0"), ["skills/tone-guide/SKILL.md:7: error: expected `metadata.version` to be an exact semantic version such as `2.1.0` or `3.0.0-rc.1` (no `v`, no range); got `1.0`"]],
    ["a name that differs from the folder together with the other errors", skill.replace("name: tone-guide", "name: tone").replace("version: 1.1.0", "version: 1.1").replace("skill:glossary@~1.0.0", "glossary"), [
      "skills/tone-guide/SKILL.md:7: error: expected `metadata.version` to be an exact semantic version such as `2.1.0` or `3.0.0-rc.1` (no `v`, no range); got `1.1`",
      "skills/tone-guide/SKILL.md:2: error: expected `name` to be `tone-guide`, the skill's folder; got `tone`. The Agent Skills spec requires them to match",
      "skills/tone-guide/SKILL.md:9: error: expected each `metadata.requires` entry to be `server:<name>@<range>` or `skill:<name>@<range>` (like `server:crm@^2.1.0`); got `glossary`",
    ]],
    ["a name that differs from the folder together with a bad requires entry", skill.replace("name: tone-guide", "name: tone").replace("skill:glossary@~1.0.0", "glossary"), [
      "skills/tone-guide/SKILL.md:2: error: expected `name` to be `tone-guide`, the skill's folder; got `tone`. The Agent Skills spec requires them to match",
      "skills/tone-guide/SKILL.md:9: error: expected each `metadata.requires` entry to be `server:<name>@<range>` or `skill:<name>@<range>` (like `server:crm@^2.1.0`); got `glossary`",
    ]],
    ["a malformed requires entry", skill.replace("skill:glossary@~1.0.0", "glossary ~1.0.0"), ["skills/tone-guide/SKILL.md:9: error: expected each `metadata.requires` entry to be `server:<name>@<range>` or `skill:<name>@<range>` (like `server:crm@^2.1.0`); got `glossary ~1.0.0`"]],
    ["a name with capitals", skill.replace("name: tone-guide", "name: Tone-Guide"), ["skills/tone-guide/SKILL.md:2: error: expected `name` to be lowercase letters, digits and single hyphens, at most 64 characters, not starting or ending with `-`; got `Tone-Guide`"]],
    ["a misspelt metadata.version", skill.replace("  version: 1.1.0\n", "  versoin: 1.1.0\n"), ["skills/tone-guide/SKILL.md:7: error: `metadata.version` is missing; the file has `versoin`: did you mean `version`? (expected an exact semantic version such as `2.1.0` or `3.0.0-rc.1` (no `v`, no range))"]],
    ["a missing metadata.version", skill.replace("  version: 1.1.0\n", ""), ["skills/tone-guide/SKILL.md:7: error: `metadata.version` is missing; add it (expected an exact semantic version such as `2.1.0` or `3.0.0-rc.1` (no `v`, no range))"]],
    ["a description over 1024 characters", skill.replace("How we write to customers. Use for every customer-facing reply.", "d".repeat(1025)), ["skills/tone-guide/SKILL.md:3: error: `description` is too long: at most 1024 characters, got 1025; shorten it"]],
    ["a non-string metadata value", skill.replace("  owner: support-platform", "  owner: support-platform\n  reviewed: true"), ["skills/tone-guide/SKILL.md:9: error: expected `metadata.reviewed` to be text; got the boolean `true`. Quote it: `\"true\"`"]],
  ])("reports %s", (_name, text, expected) => {
    expect(lines(parseSkillFile({ repo: ".", path: "skills/tone-guide/SKILL.md", text }, "tone-guide").problems)).toEqual(expected);
  });
});

describe("models.yaml", () => {
  const models = "default: claude-sonnet-5-5\naliases:\n  fast: claude-haiku-5-5\nallowed: [claude-sonnet-5-5, claude-haiku-5-5]\ndeprecated:\n  claude-sonnet-4-5: { retires: 2026-11-30, replacement: claude-sonnet-5-5 }\n";

  it("parses a valid file", () => {
    expect(parseModelsConfig({ repo: ".", path: "models.yaml", text: models }).problems).toEqual([]);
  });

  it.each([
    ["a default outside `allowed`", models.replace("default: claude-sonnet-5-5", "default: claude-opus-5-5"), ["models.yaml:1: error: the default model `claude-opus-5-5` is not in `allowed`; add it there or pick an allowed model"]],
    ["an alias named `default`", models.replace("  fast: claude-haiku-5-5", "  fast: claude-haiku-5-5\n  default: claude-haiku-5-5"), ["models.yaml:4: error: `default` is reserved for the default model; name the alias something else"]],
    ["a retirement date that is not a date", models.replace("2026-11-30", "soon"), ["models.yaml:6: error: expected `deprecated.claude-sonnet-4-5.retires` to be a date as YYYY-MM-DD; got `soon`"]],
  ])("reports %s", (_name, text, expected) => {
    expect(lines(parseModelsConfig({ repo: ".", path: "models.yaml", text }).problems)).toEqual(expected);
  });
});

describe(".github/blastgate.yml", () => {
  it("fills every default from an empty policy", () => {
    const parsed = parseGateConfig({ repo: ".", path: ".github/blastgate.yml", text: "{}\n" });
    expect(parsed.value?.tiers.production).toEqual({ gate: "block", minPassRate: 0.9, maxRegression: 0.02, trials: 5, maxTrials: 20 });
    expect(parsed.value?.execution.strategy).toBe("central");
  });

  it.each([
    ["maxTrials below trials", "tiers:\n  production: { gate: block, minPassRate: 0.9, maxRegression: 0.02, trials: 5, maxTrials: 2 }\n", [".github/blastgate.yml:2: error: expected `tiers.production.maxTrials` to be at least `trials`; got `2`"]],
    ["an unknown strategy", "execution:\n  strategy: lambda\n", [".github/blastgate.yml:2: error: expected `execution.strategy` to be one of central, dispatch; got `lambda`"]],
    ["a misspelled section", "budget:\n  perGateUsd: 10\n", [".github/blastgate.yml:1: error: unknown key `budget`; did you mean `budgets`?"]],
  ])("reports %s", (_name, text, expected) => {
    expect(lines(parseGateConfig({ repo: ".", path: ".github/blastgate.yml", text }).problems)).toEqual(expected);
  });
});

describe("skill overlays", () => {
  it("reads the headings with their lines, after optional frontmatter", () => {
    const parsed = parseOverlay({ repo: ".", path: "overlays/tone.md", text: "---\nskill: tone-guide\nreplaces: [Voice]\n---\n\n## Voice\n\nOurs.\n\n## Extra\n" }, "tone-guide");
    expect([...(parsed.value?.headings ?? [])]).toEqual([["Voice", 6], ["Extra", 10]]);
    expect(parsed.value?.declaredReplaces).toEqual(["Voice"]);
  });

  it("reports an overlay written for another skill", () => {
    const parsed = parseOverlay({ repo: ".", path: "overlays/tone.md", text: "---\nskill: glossary\n---\n## Voice\n" }, "tone-guide");
    expect(lines(parsed.problems)).toEqual(["overlays/tone.md:2: error: this overlay says it is for skill `glossary`, but agent.yaml uses it for `tone-guide`; fix one of them"]);
  });

  it("warns about an overlay with no sections", () => {
    expect(lines(parseOverlay({ repo: ".", path: "overlays/tone.md", text: "Just text.\n" }, "tone-guide").problems)).toEqual([
      "overlays/tone.md:1: warning: has no `## ` sections, so it changes nothing; add `## Heading` sections to replace or append",
    ]);
  });
});

describe("exact versions", () => {
  it.each(["1.0.0", "0.0.1", "3.0.0-rc.1", "1.2.3-alpha.10+build.5", "2.0.0-0", "v1.0.0", "1.0", "01.0.0", "^1.0.0", "1.0.0-", "1.0.0-01", "latest"])(
    "agree with the semver package on %s",
    async (version) => {
      const semver = (await import("semver")).default;
      const { exactVersion } = await import("../../schemas/common.ts");
      expect(exactVersion.safeParse(version).success).toBe(semver.valid(version) === version);
    },
  );
});
