import { Ajv2020 } from "ajv/dist/2020.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { agentManifestSchema } from "../../schemas/agent.schema.ts";
import { skillFrontmatterSchema } from "../../schemas/skill.schema.ts";

const root = path.join(import.meta.dirname, "..", "..");
const ajv = new Ajv2020({ strict: false });
const generated = (name: string) => ajv.compile(JSON.parse(readFileSync(path.join(root, "schemas/generated", `${name}.schema.json`), "utf8")));

const skill = (fields: Record<string, unknown>) => ({ name: "tone-guide", description: "How we write.", metadata: { version: "1.0.0", owner: "support" }, ...fields });
const agent = (fields: Record<string, unknown>) => ({ name: "triage", team: "support", tier: "production", ...fields });

describe("text limits, in zod and in the generated JSON Schema alike", () => {
  it.each([
    ["1,024 emoji as a skill description", "skill-frontmatter", skillFrontmatterSchema, skill({ description: "😀".repeat(1024) }), true],
    ["1,025 emoji as a skill description", "skill-frontmatter", skillFrontmatterSchema, skill({ description: "😀".repeat(1025) }), false],
    ["500 emoji as compatibility", "skill-frontmatter", skillFrontmatterSchema, skill({ compatibility: "🐧".repeat(500) }), true],
    ["501 emoji as compatibility", "skill-frontmatter", skillFrontmatterSchema, skill({ compatibility: "🐧".repeat(501) }), false],
    ["a blank skill description", "skill-frontmatter", skillFrontmatterSchema, skill({ description: " \t " }), false],
    ["an empty compatibility", "skill-frontmatter", skillFrontmatterSchema, skill({ compatibility: "" }), false],
    ["a blank agent description", "agent", agentManifestSchema, agent({ description: "  " }), false],
    ["1,024 emoji as an agent description", "agent", agentManifestSchema, agent({ description: "😀".repeat(1024) }), true],
  ])("judges %s the same way (%s)", (_name, generatedName, schema, data, valid) => {
    expect(schema.safeParse(data).success).toBe(valid);
    expect(generated(generatedName)(data)).toBe(valid);
  });
});
