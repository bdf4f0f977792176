import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isVersionRange, mcpServerJsonSchema, mcpShortText } from "../../schemas/mcp-server-json.schema.ts";

const root = path.join(import.meta.dirname, "..", "fixtures", "server-json", "documents");

/** The mirror as a draft-07 JSON Schema, judged by ajv: what an editor or another tool would check against. */
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const validateJsonSchema = ajv.compile(z.toJSONSchema(mcpServerJsonSchema, { target: "draft-07", io: "input" }));

/**
 * `valid` and `invalid` hold documents the official schema accepts and rejects. `refused-by-stated-rules`
 * holds ones its keywords accept but its own descriptions refuse (version ranges, an icon not on https),
 * which the registry refuses on publish; the mirror refuses them too.
 */
function documents(verdict: "valid" | "invalid" | "refused-by-stated-rules"): [string, unknown][] {
  return readdirSync(path.join(root, verdict))
    .sort()
    .map((file) => [file, JSON.parse(readFileSync(path.join(root, verdict, file), "utf8"))]);
}

function mirrorIssues(value: unknown): string[] {
  const result = mcpServerJsonSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`);
}

describe("the server.json mirror (schema 2025-12-11)", () => {
  it.each(documents("valid"))("accepts %s, and so does its generated JSON Schema", (_file, document) => {
    expect(mirrorIssues(document)).toEqual([]);
    expect(validateJsonSchema(document) ? [] : validateJsonSchema.errors).toEqual([]);
  });

  it.each([...documents("invalid"), ...documents("refused-by-stated-rules")])("rejects %s, and so does its generated JSON Schema", (_file, document) => {
    expect(mirrorIssues(document)).not.toEqual([]);
    expect(validateJsonSchema(document)).toBe(false);
  });

  it("says what each invalid document lacks when it rejects one", () => {
    const rejected = [...documents("invalid"), ...documents("refused-by-stated-rules")];
    expect(Object.fromEntries(rejected.map(([file, document]) => [file, mirrorIssues(document)]))).toMatchInlineSnapshot(`
      {
        "description-101-characters.json": [
          "description: a non-empty string of at most 100 characters",
        ],
        "icon-over-http.json": [
          "icons.0.src: an \`https://\` URL (the registry refuses other icon sources)",
        ],
        "missing-name.json": [
          "name: Invalid input: expected string, received undefined",
        ],
        "name-without-slash.json": [
          "name: a reverse-DNS name with one slash, like \`com.example/crm\` (letters, digits, \`.\` and \`-\` before the slash; also \`_\` after it)",
        ],
        "package-version-latest.json": [
          "packages.0.version: a specific version such as \`1.0.2\`, not \`latest\`",
        ],
        "package-version-range.json": [
          "packages.0.version: a specific version such as \`1.0.2\`, not a range",
        ],
        "positional-argument-without-value.json": [
          "packages.0.packageArguments.0: a positional argument with \`valueHint\` or \`value\`",
        ],
        "publisher-meta-not-a-mapping.json": [
          "_meta.io.modelcontextprotocol.registry/publisher-provided: Invalid input: expected record, received string",
        ],
        "remote-template-for-base.json": [
          "remotes.0.url: an \`http://\` or \`https://\` URL without spaces, like \`https://mcp.example.com/mcp\` or the template \`https://{tenant}.example.com/mcp\`",
        ],
        "remote-with-space.json": [
          "remotes.0.url: an \`http://\` or \`https://\` URL without spaces, like \`https://mcp.example.com/mcp\` or the template \`https://{tenant}.example.com/mcp\`",
        ],
        "remote-without-scheme.json": [
          "remotes.0.url: an \`http://\` or \`https://\` URL without spaces, like \`https://mcp.example.com/mcp\` or the template \`https://{tenant}.example.com/mcp\`",
        ],
        "server-version-range.json": [
          "version: a specific version such as \`1.0.2\`, not a range",
        ],
        "sse-over-ftp.json": [
          "remotes.0.url: an \`http://\` or \`https://\` URL without spaces, like \`https://mcp.example.com/mcp\` or the template \`https://{tenant}.example.com/mcp\`",
        ],
        "website-relative.json": [
          "websiteUrl: an absolute URI such as \`https://example.com/docs\`, with any space or other character URIs forbid percent-encoded (\`%20\`)",
        ],
      }
    `);
  });
});

describe("isVersionRange", () => {
  it.each([
    ["^1.2.3", true],
    ["~1.2", true],
    [">= 1.0.0", true],
    ["=1.0.0", true],
    ["1.2.3 - 2.0.0", true],
    ["1.2 || 1.3", true],
    ["1.x", true],
    ["1.2.*", true],
    [" X.1 ", true],
    ["1.2.3", false],
    ["0.4.0-beta", false],
    ["2024.01.15", false],
    ["v3", false],
    ["1.0.0.0", false],
    ["1.2.3-linux-x64", false],
    ["x", false],
  ])("judges `%s` a range: %s", (version, expected) => {
    expect(isVersionRange(version)).toBe(expected);
  });
});

describe("length limits", () => {
  it("count a character outside the Basic Multilingual Plane once, as JSON Schema does, where JavaScript counts it twice", () => {
    const text = "📇".repeat(100);
    expect([text.length, mcpShortText().safeParse(text).success, mcpShortText().safeParse(text + "📇").success]).toEqual([200, true, false]);
  });
});
