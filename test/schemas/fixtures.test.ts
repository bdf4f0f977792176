import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAgentManifest, parseModelsConfig, parseServerManifest, parseSkillFile, type Parsed } from "../../app/core/registry/parse-manifests.ts";
import { formatProblem } from "../../app/core/report/render-text.ts";
import { parseGatePolicy } from "../../app/core/gate/parse-gate-policy.ts";

/** The gate policy parsed from text, as a value and its problems. */
function parseGateConfig(file: { repo: string; path: string; text: string }) {
  const policy = parseGatePolicy({ kind: "text", text: file.text, id: "test" }, file);
  return { value: policy.kind === "invalid" ? null : policy.value, problems: policy.kind === "invalid" ? policy.problems : [] };
}

const root = path.join(import.meta.dirname, "..", "fixtures", "schemas");

const parsers: Record<string, (file: { repo: string; path: string; text: string }) => Parsed<unknown>> = {
  agent: (file) => parseAgentManifest(file, "."),
  server: (file) => parseServerManifest(file, "billing"),
  skill: (file) => parseSkillFile(file, "refund-policy"),
  models: (file) => parseModelsConfig(file),
  "gate-config": (file) => parseGateConfig(file),
};

/** Every fixture file, parsed: `format/file` → its problems as the CLI prints them. */
function parseAll(): Record<string, string[]> {
  const results: Record<string, string[]> = {};
  for (const format of Object.keys(parsers).sort()) {
    for (const name of readdirSync(path.join(root, format)).sort()) {
      const file = `${format}/${name}`;
      const parsed = parsers[format]!({ repo: ".", path: file, text: readFileSync(path.join(root, file), "utf8") });
      results[file] = parsed.problems.map(formatProblem);
    }
  }
  return results;
}

describe("schema fixtures", () => {
  it("parses every valid fixture and reports each invalid one with file, line and what was expected", () => {
    expect(parseAll()).toMatchInlineSnapshot(`
      {
        "agent/invalid-syntax.yaml": [
          "agent/invalid-syntax.yaml:2: error: is not valid YAML: Nested mappings are not allowed in compact mappings. Check the indentation and quoting on this line.",
        ],
        "agent/invalid-types.yaml": [
          "agent/invalid-types.yaml:4: error: expected \`servers\` to be a mapping (\`key: value\` lines); got a list",
          "agent/invalid-types.yaml:6: error: expected \`skills.refund-policy\` to be a semver range (\`^1.2.0\`) or a mapping with \`version\` and an optional \`overlay\`; got \`2\`",
          "agent/invalid-types.yaml:9: error: expected \`evals.runner.type\` to be one of builtin, command; got \`shell\`",
        ],
        "agent/valid.yaml": [],
        "gate-config/invalid.yaml": [
          "gate-config/invalid.yaml:2: error: expected \`agents.repositories[0]\` to be an \`owner/repo\` name; got \`acme-support-triage\`",
          "gate-config/invalid.yaml:4: error: expected \`tiers.production.gate\` to be one of block, warn, skip; got \`fail\`",
          "gate-config/invalid.yaml:4: error: expected \`tiers.production.minPassRate\` to be at most 1; got \`1.5\`",
          "gate-config/invalid.yaml:5: error: expected \`statistics.alpha\` to be at most 0.5; got \`0.7\`",
        ],
        "gate-config/valid.yaml": [],
        "models/invalid.yaml": [
          "models/invalid.yaml:1: error: expected \`default\` to be a model id such as \`claude-sonnet-5-5\`; got \`Claude Sonnet\`",
          "models/invalid.yaml:3: error: expected \`aliases.fast\` to be text; got a list",
          "models/invalid.yaml:5: error: \`deprecated.claude-sonnet-4-5.replacement\` is missing; add it (expected a model id such as \`claude-sonnet-5-5\`)",
        ],
        "models/valid.yaml": [],
        "server/invalid.yaml": [
          "server/invalid.yaml:4: error: expected \`version\` to be an exact semantic version such as \`2.1.0\` or \`3.0.0-rc.1\` (no \`v\`, no range); got \`v1.4.2\`",
          "server/invalid.yaml:10: error: expected \`packages[0].version\` to be a specific version such as \`1.0.2\`, not \`latest\`; got \`latest\`",
          "server/invalid.yaml:12: error: expected \`guarantees.dataClassification\` to be one of public, internal, confidential, restricted; got \`secret\`",
          "server/invalid.yaml:14: error: expected \`tools[0].name\` to be a tool name of letters, digits, \`_\`, \`-\` or \`.\`; got \`issue refund\`",
          "server/invalid.yaml:18: error: expected \`dependsOn.servers.crm\` to be a semver range such as \`^2.1.0\`, \`~1.0.0\` or \`1.4.2\`; got \`two\`",
        ],
        "server/valid.yaml": [],
        "skill/invalid.md": [
          "skill/invalid.md:3: error: \`description\` is empty; fill it in",
          "skill/invalid.md:4: error: expected \`allowed-tools\` to be text; got a list",
          "skill/invalid.md:6: error: expected \`metadata.version\` to be an exact semantic version such as \`2.1.0\` or \`3.0.0-rc.1\` (no \`v\`, no range); got \`2.1\`",
          "skill/invalid.md:6: error: \`metadata.owner\` is missing; add it (expected a team slug such as \`support-platform\`)",
          "skill/invalid.md:7: error: expected each \`metadata.requires\` entry to be \`server:<name>@<range>\` or \`skill:<name>@<range>\` (like \`server:crm@^2.1.0\`); got \`billing\`",
        ],
        "skill/valid.md": [],
      }
    `);
  });
});
