import { describe, expect, it } from "vitest";
import type { CatalogServer } from "../../../schemas/catalog.schema.ts";
import { mcpServerJsonSchema, PUBLISHER_PROVIDED_KEY } from "../../../schemas/mcp-server-json.schema.ts";
import { buildServerJson } from "../../../app/core/catalog/build-server-json.ts";

function entry(overrides: Partial<CatalogServer> = {}): CatalogServer {
  return {
    name: "crm",
    title: "Acme CRM",
    description: "Customers, cases and notes from Acme's CRM.",
    owner: "platform",
    lifecycle: "production",
    latest: "2.1.0",
    versions: ["2.1.0", "2.0.0"],
    repository: { url: "https://github.com/acme/crm-mcp", source: "github" },
    packages: [{ registryType: "npm", identifier: "@acme/crm-mcp", version: "2.1.0", transport: { type: "stdio" } }],
    remotes: [{ type: "streamable-http", url: "https://crm.example.com/mcp" }],
    scopes: ["crm.cases:read"],
    guarantees: { availability: "99.9%", dataClassification: "confidential" },
    tools: [{ name: "get_case", description: "Reads a case.", scopes: ["crm.cases:read"], requiredInputs: ["case_id"] }],
    dependsOn: [{ server: "audit", range: "^1.0.0" }],
    dependents: { count: 1, agents: [{ agent: "triage", team: "support", tier: "production", version: "2.1.0" }] },
    ...overrides,
  };
}

function issuesOf(value: unknown): string[] {
  const result = mcpServerJsonSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.map(String).join(".")}: ${issue.message}`);
}

describe("buildServerJson", () => {
  it("exports the registry fields and the org's fields under publisher-provided _meta when given a catalog entry", () => {
    expect(buildServerJson(entry(), "com.acme")).toMatchInlineSnapshot(`
      {
        "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
        "_meta": {
          "io.modelcontextprotocol.registry/publisher-provided": {
            "com.acme/blastgate": {
              "dependents": {
                "agents": [
                  {
                    "agent": "triage",
                    "team": "support",
                    "tier": "production",
                    "version": "2.1.0",
                  },
                ],
                "count": 1,
              },
              "dependsOn": [
                {
                  "range": "^1.0.0",
                  "server": "audit",
                },
              ],
              "guarantees": {
                "availability": "99.9%",
                "dataClassification": "confidential",
              },
              "lifecycle": "production",
              "owner": "platform",
              "schemaVersion": 1,
              "scopes": [
                "crm.cases:read",
              ],
              "tools": [
                {
                  "description": "Reads a case.",
                  "name": "get_case",
                  "requiredInputs": [
                    "case_id",
                  ],
                  "scopes": [
                    "crm.cases:read",
                  ],
                },
              ],
            },
          },
        },
        "description": "Customers, cases and notes from Acme's CRM.",
        "name": "com.acme/crm",
        "packages": [
          {
            "identifier": "@acme/crm-mcp",
            "registryType": "npm",
            "transport": {
              "type": "stdio",
            },
            "version": "2.1.0",
          },
        ],
        "remotes": [
          {
            "type": "streamable-http",
            "url": "https://crm.example.com/mcp",
          },
        ],
        "repository": {
          "source": "github",
          "url": "https://github.com/acme/crm-mcp",
        },
        "title": "Acme CRM",
        "version": "2.1.0",
      }
    `);
  });

  it.each([
    ["a full entry", entry()],
    ["an entry removed from the tree (no latest)", entry({ latest: null, versions: ["1.4.0", "1.0.0"] })],
    ["an entry with no packages, remotes or repository", entry({ packages: [], remotes: [], repository: undefined })],
    ["an entry with a 150-character description", entry({ description: "d".repeat(150) })],
  ])("passes the MCP registry schema mirror when exporting %s", (_, server) => {
    expect(issuesOf(buildServerJson(server, "com.example"))).toEqual([]);
  });

  it("falls back to the highest version when the ref no longer holds the server", () => {
    expect(buildServerJson(entry({ latest: null, versions: ["1.4.0", "1.0.0"] }), "com.example").version).toBe("1.4.0");
  });

  it("falls back to the highest stable version, not a prerelease above it, when the ref no longer holds the server", () => {
    expect(buildServerJson(entry({ latest: null, versions: ["3.0.0-beta.1", "2.1.0", "2.0.0"] }), "com.example").version).toBe("2.1.0");
    expect(buildServerJson(entry({ latest: null, versions: ["3.0.0-beta.2", "3.0.0-beta.1"] }), "com.example").version).toBe("3.0.0-beta.2");
  });

  it("leaves out empty packages and remotes when the server has none", () => {
    const json = buildServerJson(entry({ packages: [], remotes: [] }), "com.example");
    expect(["packages" in json, "remotes" in json]).toEqual([false, false]);
  });

  it("clips the description to 100 characters with an ellipsis when it is longer", () => {
    const description = buildServerJson(entry({ description: "d".repeat(150) }), "com.example").description;
    expect([description.length, description.endsWith("d…")]).toEqual([100, true]);
  });

  it("counts code points, as JSON Schema does, when a description holds characters of two UTF-16 units", () => {
    const short = "📇".repeat(68);
    expect(buildServerJson(entry({ description: short }), "com.example").description).toBe(short);
    const long = [...buildServerJson(entry({ description: "📇".repeat(150) }), "com.example").description];
    expect([long.length, long.at(-2), long.at(-1)]).toEqual([100, "📇", "…"]);
  });

  it("names the server by its own registry name when server.yaml gives one in another namespace", () => {
    const json = buildServerJson(entry({ mcpName: "io.github.acme-labs/crm-mcp" }), "com.acme");
    expect([json.name, Object.keys(json._meta?.[PUBLISHER_PROVIDED_KEY] ?? {})]).toEqual(["io.github.acme-labs/crm-mcp", ["com.acme/blastgate"]]);
  });

  it("carries the server's icons and own _meta, with its publisher-provided data beside the org's block", () => {
    const json = buildServerJson(
      entry({
        icons: [{ src: "https://static.example.com/crm.png", sizes: ["48x48"] }],
        _meta: {
          "com.example.audit/review": { reviewedBy: "security" },
          [PUBLISHER_PROVIDED_KEY]: { "io.github.acme-labs/build": { commit: "3f2a9c1" }, "com.acme/blastgate": "replaced by the org's block" },
        },
      }),
      "com.acme",
    );
    expect(json.icons).toEqual([{ src: "https://static.example.com/crm.png", sizes: ["48x48"] }]);
    expect(json._meta?.["com.example.audit/review"]).toEqual({ reviewedBy: "security" });
    const publisher = json._meta?.[PUBLISHER_PROVIDED_KEY] ?? {};
    expect([Object.keys(publisher), (publisher["com.acme/blastgate"] as { owner: string }).owner]).toEqual([["io.github.acme-labs/build", "com.acme/blastgate"], "platform"]);
    expect(issuesOf(json)).toEqual([]);
  });

  it("keys the org block by the namespace when the gate policy sets one", () => {
    const meta = buildServerJson(entry(), "io.github.acme")._meta?.[PUBLISHER_PROVIDED_KEY];
    expect(Object.keys(meta ?? {})).toEqual(["io.github.acme/blastgate"]);
  });
});

describe("mcpServerJsonSchema", () => {
  const valid = buildServerJson(entry(), "com.example");

  it.each([
    ["a name without a slash", { ...valid, name: "crm" }, ["name: a reverse-DNS name with one slash, like `com.example/crm` (letters, digits, `.` and `-` before the slash; also `_` after it)"]],
    ["a description of 101 characters", { ...valid, description: "d".repeat(101) }, ["description: a non-empty string of at most 100 characters"]],
    [
      "a package version `latest`",
      { ...valid, packages: [{ registryType: "npm", identifier: "@acme/crm-mcp", version: "latest", transport: { type: "stdio" } }] },
      ["packages.0.version: a specific version such as `1.0.2`, not `latest`"],
    ],
    ["a version range", { ...valid, version: "^2.1.0" }, ["version: a specific version such as `1.0.2`, not a range"]],
    [
      "a streamable-http URL without a scheme",
      { ...valid, remotes: [{ type: "streamable-http", url: "localhost:8080/mcp" }] },
      ["remotes.0.url: an `http://` or `https://` URL without spaces, like `https://mcp.example.com/mcp` or the template `https://{tenant}.example.com/mcp`"],
    ],
    [
      "a website URL with a space",
      { ...valid, websiteUrl: "https://crm.example.com/user guide" },
      ["websiteUrl: an absolute URI such as `https://example.com/docs`, with any space or other character URIs forbid percent-encoded (`%20`)"],
    ],
    ["a publisher-provided block that is not an object", { ...valid, _meta: { [PUBLISHER_PROVIDED_KEY]: "owner: platform" } }, [
      "_meta.io.modelcontextprotocol.registry/publisher-provided: Invalid input: expected record, received string",
    ]],
  ])("rejects a server.json when it has %s", (_, value, issues) => {
    expect(issuesOf(value)).toEqual(issues);
  });

  it("accepts a server.json when it is valid", () => {
    expect(issuesOf(valid)).toEqual([]);
  });

  it("accepts a package with keys the schema does not name, as upstream does", () => {
    const packages = [{ registryType: "npm", identifier: "@acme/crm-mcp", transport: { type: "stdio" }, "x-acme-notes": "kept" }];
    expect(issuesOf({ ...valid, packages })).toEqual([]);
  });

  it("accepts a server.json without a title, which upstream leaves optional", () => {
    const { title: _title, ...untitled } = valid;
    expect(issuesOf(untitled)).toEqual([]);
  });
});
