import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { buildCatalog } from "../../app/core/catalog/build-catalog.ts";
import { buildServerJson } from "../../app/core/catalog/build-server-json.ts";
import { parseServerManifest } from "../../app/core/registry/parse-manifests.ts";
import { formatProblem } from "../../app/core/report/render-text.ts";
import { catalogSchema } from "../../schemas/catalog.schema.ts";
import { mcpServerJsonSchema, SERVER_JSON_SCHEMA_URL } from "../../schemas/mcp-server-json.schema.ts";

const root = path.join(import.meta.dirname, "..", "fixtures", "server-json", "server-yaml");
const namespace = "com.acme";

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const validateJsonSchema = ajv.compile(z.toJSONSchema(mcpServerJsonSchema, { target: "draft-07", io: "input" }));

/** The generated server.yaml JSON Schema, as an editor checks the file. */
const ajv2020 = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv2020);
const validateServerYaml = ajv2020.compile(JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "..", "schemas", "generated", "server.schema.json"), "utf8")));

const fixtures = readdirSync(root)
  .sort()
  .map((name) => ({ name, file: `server-yaml/${name}`, text: readFileSync(path.join(root, name), "utf8") }));

/** What an export that checked nothing would write for this server.yaml: its server.json fields, as written. */
function uncheckedServerJson(text: string): unknown {
  const raw = parse(text) as Record<string, unknown>;
  const copied = ["websiteUrl", "repository", "icons", "packages", "remotes", "_meta"].filter((key) => key in raw);
  return {
    $schema: SERVER_JSON_SCHEMA_URL,
    name: raw.mcpName ?? `${namespace}/${String(raw.name)}`,
    description: raw.description,
    title: raw.title ?? raw.name,
    version: raw.version,
    ...Object.fromEntries(copied.map((key) => [key, raw[key]])),
  };
}

/** server.yaml → `validate`'s parse → catalog entry → server.json, as `blastgate catalog` runs them. */
function exportServerJson(fixture: { file: string; text: string }) {
  const parsed = parseServerManifest({ repo: ".", path: fixture.file, text: fixture.text }, "crm");
  if (!parsed.value) return { problems: parsed.problems.map(formatProblem), json: null };
  const version = { ...parsed.value, contentHash: "tree", origin: "head" as const };
  const catalog = catalogSchema.parse(
    buildCatalog({ tags: new Map(), tree: { assets: new Map([[version.id, version]]), models: null, modelsSource: { repo: ".", path: "models.yaml" } }, agents: [], ref: "main" }),
  );
  return { problems: parsed.problems.map(formatProblem), json: buildServerJson(catalog.servers[0]!, namespace) };
}

describe("server.yaml to server.json", () => {
  it.each(fixtures.filter(({ name }) => name.startsWith("valid-")))("exports $name as a server.json the mirror and its JSON Schema accept", (fixture) => {
    const { problems, json } = exportServerJson(fixture);
    expect(problems).toEqual([]);
    expect(mcpServerJsonSchema.safeParse(json).error?.issues ?? []).toEqual([]);
    expect(validateJsonSchema(json) ? [] : validateJsonSchema.errors).toEqual([]);
  });

  it("carries extra keys of packages and remotes into server.json, as upstream allows them", () => {
    const { json } = exportServerJson(fixtures.find(({ name }) => name === "valid-extra-keys.yaml")!);
    expect([json?.packages?.[0]?.["x-install-note"], json?.packages?.[0]?.transport["x-transport-note"], json?.remotes?.[0]?.["x-region"]]).toEqual(["needs Node 22", "pipes", "eu-west-1"]);
  });

  it.each(fixtures.filter(({ name }) => name.startsWith("invalid-")))("refuses $name at parse time, with file and line, as the mirror would refuse its export", (fixture) => {
    expect(mcpServerJsonSchema.safeParse(uncheckedServerJson(fixture.text)).success).toBe(false);
    const { problems, json } = exportServerJson(fixture);
    expect(json).toBeNull();
    expect(problems).not.toEqual([]);
    for (const problem of problems) expect(problem).toMatch(new RegExp(`^${fixture.file}:[1-9]\\d*: error: `));
  });

  it.each(fixtures)("judges $name in an editor, by the generated server.schema.json, as validate does", (fixture) => {
    expect(validateServerYaml(parse(fixture.text))).toBe(fixture.name.startsWith("valid-"));
  });

  it("says where and how to fix each server.yaml it refuses", () => {
    const refused = fixtures.filter(({ name }) => name.startsWith("invalid-")).map((fixture) => [fixture.name, exportServerJson(fixture).problems]);
    expect(Object.fromEntries(refused)).toMatchInlineSnapshot(`
      {
        "invalid-description-too-long.yaml": [
          "server-yaml/invalid-description-too-long.yaml:3: error: \`description\` is too long: at most 100 characters, got 101; shorten it",
        ],
        "invalid-icon.yaml": [
          "server-yaml/invalid-icon.yaml:8: error: expected \`icons[0].src\` to be an \`https://\` URL (the registry refuses other icon sources); got \`http://static.example.com/crm.png\`",
          "server-yaml/invalid-icon.yaml:9: error: expected \`icons[0].sizes[0]\` to be a size such as \`48x48\`, or \`any\`; got \`48\`",
        ],
        "invalid-mcp-name.yaml": [
          "server-yaml/invalid-mcp-name.yaml:7: error: expected \`mcpName\` to be a reverse-DNS name with one slash, like \`com.example/crm\` (letters, digits, \`.\` and \`-\` before the slash; also \`_\` after it); got \`acme-crm\`",
        ],
        "invalid-meta.yaml": [
          "server-yaml/invalid-meta.yaml:8: error: expected \`_meta.io.modelcontextprotocol.registry/publisher-provided\` to be a mapping (\`key: value\` lines); got a list",
        ],
        "invalid-package-transport-url.yaml": [
          "server-yaml/invalid-package-transport-url.yaml:13: error: expected \`packages[0].transport.url\` to be an \`http://\` or \`https://\` URL without spaces, like \`https://mcp.example.com/mcp\` or the template \`https://{tenant}.example.com/mcp\`; got \`{host}:8080/mcp\`",
        ],
        "invalid-package-versions.yaml": [
          "server-yaml/invalid-package-versions.yaml:8: error: expected \`packages[0].version\` to be a specific version such as \`1.0.2\`, not a range; got \`^2.1.0\`",
          "server-yaml/invalid-package-versions.yaml:9: error: expected \`packages[1].version\` to be a specific version such as \`1.0.2\`, not a range; got \`2.x\`",
          "server-yaml/invalid-package-versions.yaml:10: error: expected \`packages[2].version\` to be a specific version such as \`1.0.2\`, not \`latest\`; got \`latest\`",
        ],
        "invalid-positional-argument.yaml": [
          "server-yaml/invalid-positional-argument.yaml:12: error: expected \`packages[0].packageArguments[0]\` to be a positional argument with \`valueHint\` or \`value\`; got a mapping",
        ],
        "invalid-title-empty.yaml": [
          "server-yaml/invalid-title-empty.yaml:3: error: \`title\` is empty; fill it in",
        ],
        "invalid-uri-fields.yaml": [
          "server-yaml/invalid-uri-fields.yaml:7: error: expected \`websiteUrl\` to be an absolute URI such as \`https://example.com/docs\`, with any space or other character URIs forbid percent-encoded (\`%20\`); got \`https://docs.example.com/crm guide\`",
          "server-yaml/invalid-uri-fields.yaml:9: error: expected \`repository.url\` to be an absolute URI such as \`https://example.com/docs\`, with any space or other character URIs forbid percent-encoded (\`%20\`); got \`github.com/acme/crm-mcp\`",
        ],
        "invalid-url-ftp.yaml": [
          "server-yaml/invalid-url-ftp.yaml:9: error: expected \`remotes[0].url\` to be an \`http://\` or \`https://\` URL without spaces, like \`https://mcp.example.com/mcp\` or the template \`https://{tenant}.example.com/mcp\`; got \`ftp://files.example.com/mcp\`",
        ],
        "invalid-url-no-scheme.yaml": [
          "server-yaml/invalid-url-no-scheme.yaml:9: error: expected \`remotes[0].url\` to be an \`http://\` or \`https://\` URL without spaces, like \`https://mcp.example.com/mcp\` or the template \`https://{tenant}.example.com/mcp\`; got \`localhost:8080/mcp\`",
        ],
        "invalid-url-space.yaml": [
          "server-yaml/invalid-url-space.yaml:9: error: expected \`remotes[0].url\` to be an \`http://\` or \`https://\` URL without spaces, like \`https://mcp.example.com/mcp\` or the template \`https://{tenant}.example.com/mcp\`; got \`https://crm.example.com/my mcp\`",
        ],
        "invalid-url-template-base.yaml": [
          "server-yaml/invalid-url-template-base.yaml:9: error: expected \`remotes[0].url\` to be an \`http://\` or \`https://\` URL without spaces, like \`https://mcp.example.com/mcp\` or the template \`https://{tenant}.example.com/mcp\`; got \`{baseUrl}/mcp\`",
        ],
      }
    `);
  });

  it("carries the name, icons, _meta and wide characters through when server.yaml sets them", () => {
    const everything = exportServerJson(fixtures.find(({ name }) => name === "valid-everything.yaml")!).json!;
    expect({ name: everything.name, icons: everything.icons?.length, meta: everything._meta }).toMatchInlineSnapshot(`
      {
        "icons": 2,
        "meta": {
          "com.example.audit/review": {
            "on": "2026-05-02",
            "reviewedBy": "security",
          },
          "io.modelcontextprotocol.registry/publisher-provided": {
            "com.acme/blastgate": {
              "dependents": {
                "agents": [],
                "count": 0,
              },
              "dependsOn": [],
              "guarantees": {},
              "lifecycle": "production",
              "owner": "platform",
              "schemaVersion": 1,
              "scopes": [],
              "tools": [],
            },
            "io.github.acme-labs/build": {
              "commit": "3f2a9c1",
              "pipeline": "crm-release-412",
            },
          },
        },
        "name": "io.github.acme-labs/crm-mcp",
      }
    `);
    const wide = exportServerJson(fixtures.find(({ name }) => name === "valid-wide-characters.yaml")!).json!;
    expect([[...wide.description].length, wide.description.length, [...(wide.title ?? "")].length]).toEqual([68, 136, 100]);
  });
});
