import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { splitFrontmatter } from "../../app/core/files/markdown-sections.ts";

const root = path.join(import.meta.dirname, "..", "..");
const org = path.join(root, "examples/org");
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const validator = (name: string) => ajv.compile(JSON.parse(readFileSync(path.join(root, "schemas/generated", `${name}.schema.json`), "utf8")));

const yamlOf = (file: string) => parse(readFileSync(file, "utf8"));
const frontmatterOf = (file: string) => parse(splitFrontmatter(readFileSync(file, "utf8")).frontmatter ?? "");

/** Every user-written file of the example org and the schema fixtures, with the schema an editor would check it against. */
function files(): [string, string, unknown, boolean][] {
  const list: [string, string, unknown, boolean][] = [];
  for (const agent of readdirSync(path.join(org, "agents"))) {
    list.push([`agents/${agent}/agent.yaml`, "agent", yamlOf(path.join(org, "agents", agent, "agent.yaml")), agent !== "ops-capacity-planner"]);
  }
  for (const server of readdirSync(path.join(org, "registry/servers"))) {
    list.push([`servers/${server}/server.yaml`, "server", yamlOf(path.join(org, "registry/servers", server, "server.yaml")), true]);
  }
  for (const skill of readdirSync(path.join(org, "registry/skills"))) {
    list.push([`skills/${skill}/SKILL.md`, "skill-frontmatter", frontmatterOf(path.join(org, "registry/skills", skill, "SKILL.md")), true]);
  }
  list.push(["models.yaml", "models", yamlOf(path.join(org, "registry/models.yaml")), true]);
  list.push([".github/blastgate.yml", "gate-config", yamlOf(path.join(org, "registry/.github/blastgate.yml")), true]);
  const fixtures = path.join(root, "test/fixtures/schemas");
  const schemaOf: Record<string, string> = { agent: "agent", server: "server", models: "models", "gate-config": "gate-config" };
  for (const [folder, schema] of Object.entries(schemaOf)) {
    for (const file of readdirSync(path.join(fixtures, folder))) {
      if (file.includes("syntax")) continue;
      list.push([`fixtures/${folder}/${file}`, schema, yamlOf(path.join(fixtures, folder, file)), file.startsWith("valid")]);
    }
  }
  return list;
}

describe("the generated JSON Schemas, as an editor uses them", () => {
  it.each(files())("judge %s against %s.schema.json as the zod schema does", (_file, schema, data, valid) => {
    const validate = validator(schema);
    expect(validate(data) ? [] : validate.errors?.map((error) => `${error.instancePath} ${error.message}`)).toEqual(valid ? [] : expect.arrayContaining([expect.any(String)]));
  });
});
