import { describe, expect, it } from "vitest";
import { parseYamlFile } from "../../app/core/files/parse-yaml.ts";
import { parseAgentManifest } from "../../app/core/registry/parse-manifests.ts";
import { agentManifestSchema } from "../../schemas/agent.schema.ts";
import { formatProblem } from "../../app/core/report/render-text.ts";

function problems(text: string): string[] {
  return parseAgentManifest({ repo: ".", path: "agent.yaml", text }, ".").problems.map(formatProblem);
}

const valid = `# yaml-language-server: $schema=../../schemas/generated/agent.schema.json
name: support-triage
team: support
tier: production
model: default
servers:
  crm: ^2.1.0
skills:
  escalation-rules: ~1.2.0
  tone-guide:
    version: ^1.0.0
    overlay: overlays/tone-guide.md
evals:
  suite: evals
  trials: 5
`;

describe("agent.yaml", () => {
  it("parses a valid manifest into requirements with their lines", () => {
    const parsed = parseAgentManifest({ repo: ".", path: "agent.yaml", text: valid }, "agents/support-triage");
    expect(parsed.problems).toEqual([]);
    expect(parsed.value?.facts.requirements.map((r) => `${r.asset}@${r.range}:${r.line}`)).toEqual([
      "server:crm@^2.1.0:7",
      "skill:escalation-rules@~1.2.0:9",
      "skill:tone-guide@^1.0.0:11",
    ]);
    expect([...(parsed.value?.overlayPaths ?? [])]).toEqual([["tone-guide", { path: "overlays/tone-guide.md", line: 12 }]]);
  });

  it.each([
    ["a wrong enum value", valid.replace("tier: production", "tier: prod"), [
      "agent.yaml:4: error: expected `tier` to be one of production, staging, experimental; got `prod`",
    ]],
    ["a misspelled key", valid.replace("servers:", "sevrers:"), [
      "agent.yaml:6: error: unknown key `sevrers`; did you mean `servers`?",
    ]],
    ["a missing field", valid.replace("team: support\n", ""), [
      "agent.yaml:2: error: `team` is missing; add it (expected a team slug such as `support-platform`)",
    ]],
    ["a range that is not semver", valid.replace("crm: ^2.1.0", "crm: latest"), [
      "agent.yaml:7: error: expected `servers.crm` to be a semver range such as `^2.1.0`, `~1.0.0` or `1.4.2`; got `latest`",
    ]],
    ["an overlay path that leaves the repo", valid.replace("overlays/tone-guide.md", "../../etc/passwd"), [
      "agent.yaml:12: error: expected `skills.tone-guide.overlay` to be a path inside this repo, relative to its root, without `..` (like `overlays/tone.md`); got `../../etc/passwd`",
    ]],
    ["a skill given as a list", valid.replace("  escalation-rules: ~1.2.0", "  escalation-rules: [1, 2]"), [
      "agent.yaml:9: error: expected `skills.escalation-rules` to be a semver range (`^1.2.0`) or a mapping with `version` and an optional `overlay`; got a list",
    ]],
    ["an unknown key inside a skill mapping", valid.replace("    overlay: overlays", "    overlai: overlays"), [
      "agent.yaml:12: error: unknown key `overlai` in `skills.tone-guide`; did you mean `overlay`?",
    ]],
    ["a name that is not kebab-case", valid.replace("name: support-triage", "name: Support_Triage"), [
      "agent.yaml:2: error: expected `name` to be a lowercase name of letters, digits and single hyphens, like `crm` or `tone-guide`; got `Support_Triage`",
    ]],
    ["bad YAML", valid.replace("  crm: ^2.1.0", "  crm: ^2.1.0\n bad indent: x"), [
      "agent.yaml:8: error: is not valid YAML: All mapping items must start at the same column. Check the indentation and quoting on this line.",
    ]],
    ["a duplicate key", valid.replace("model: default", "model: default\nmodel: fast"), [
      "agent.yaml:6: error: gives the key `model` twice in the same mapping; keep one",
    ]],
    ["a prototype-polluting key", valid.replace("servers:", "servers:\n  __proto__: ^1.0.0"), [
      "agent.yaml:7: error: uses the reserved key `__proto__`; rename it",
    ]],
    ["a reserved key and, independently, a bad range", valid.replace("servers:", "__proto__: x\nservers:").replace("crm: ^2.1.0", "crm: latest"), [
      "agent.yaml:6: error: uses the reserved key `__proto__`; rename it",
      "agent.yaml:8: error: expected `servers.crm` to be a semver range such as `^2.1.0`, `~1.0.0` or `1.4.2`; got `latest`",
    ]],
    ["reserved keys at any depth, each at its line", valid.replace("  crm: ^2.1.0", "  constructor: ^1.0.0\n  crm: ^2.1.0\n  prototype: ^1.0.0"), [
      "agent.yaml:7: error: uses the reserved key `constructor`; rename it",
      "agent.yaml:9: error: uses the reserved key `prototype`; rename it",
    ]],
    ["a reserved key whose value an alias reuses", valid.replace("servers:", "prototype: &range ^2.1.0\nservers:").replace("crm: ^2.1.0", "crm: *range"), [
      "agent.yaml:6: error: uses the reserved key `prototype`; rename it",
    ]],
    ["a description of only whitespace", valid.replace("tier: production", "tier: production\ndescription: ' '"), [
      "agent.yaml:5: error: `description` is only whitespace; fill it in",
    ]],
    ["an empty name, once", valid.replace("name: support-triage", "name: ''"), [
      "agent.yaml:2: error: `name` is empty; fill it in",
    ]],
    ["a value with backticks, quoted so the code span holds", valid.replace("tier: production", "tier: 'a`b'"), [
      "agent.yaml:4: error: expected `tier` to be one of production, staging, experimental; got ``a`b``",
    ]],
    ["an empty file", "", ["agent.yaml:1: error: is empty; expected an agent.yaml"]],
    ["trials out of range", valid.replace("trials: 5", "trials: 0"), [
      "agent.yaml:15: error: expected `evals.trials` to be at least 1; got `0`",
    ]],
  ])("reports %s with file, line, what was expected", (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it("leaves reserved keys out of the data it validates, and out of every prototype", () => {
    const text = valid.replace("servers:", "__proto__: { polluted: true }\nservers:\n  __proto__: { crm: ^9.0.0 }");
    const parsed = parseYamlFile({ repo: ".", path: "agent.yaml", text }, agentManifestSchema, "an agent.yaml");
    expect(parsed.kind === "invalid" && parsed.problems.map(formatProblem)).toEqual([
      "agent.yaml:6: error: uses the reserved key `__proto__`; rename it",
      "agent.yaml:8: error: uses the reserved key `__proto__`; rename it",
    ]);
    const data = (parsed.kind === "invalid" ? parsed.data : undefined) as { servers: object };
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(data.servers)).toBe(Object.prototype);
    expect(Object.keys(data)).not.toContain("__proto__");
    expect(data.servers).toEqual({ crm: "^2.1.0" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a file that expands YAML aliases past the limit", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join("\n");
    const [message] = problems(bomb);
    expect(message).toMatch(/^agent\.yaml:1: error: expands YAML aliases more than 100 times; write the values out instead/);
  });

  it("refuses a file over the size cap", () => {
    const [message] = problems(`name: x\ndescription: "${"y".repeat(1024 * 1024)}"\n`);
    expect(message).toBe("agent.yaml:1: error: is 1,048,600 bytes, over the 1,048,576-byte limit for an agent.yaml, so it was not read; an agent.yaml should be a small text file");
  });
});
