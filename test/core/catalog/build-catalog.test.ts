import { describe, expect, it } from "vitest";
import { agentManifestSchema } from "../../../schemas/agent.schema.ts";
import { catalogSchema } from "../../../schemas/catalog.schema.ts";
import { modelsConfigSchema } from "../../../schemas/models.schema.ts";
import { serverManifestSchema } from "../../../schemas/server.schema.ts";
import { skillFrontmatterSchema } from "../../../schemas/skill.schema.ts";
import { buildCatalog, type CatalogFacts } from "../../../app/core/catalog/build-catalog.ts";
import { assetId, type AgentFacts, type AssetId, type AssetVersion, type Requirement } from "../../../app/core/registry/model.ts";

const at = (path: string) => ({ repo: "registry", path });

function requirement(asset: AssetId, range: string, file = "x"): Requirement {
  return { asset, range, source: at(file), line: 1 };
}

function server(name: string, version: string, extra: Record<string, unknown> = {}, origin: AssetVersion["origin"] = "tag"): AssetVersion {
  const manifest = serverManifestSchema.parse({
    name,
    title: name.toUpperCase(),
    description: `The ${name} server.`,
    version,
    owner: "platform",
    lifecycle: "production",
    ...extra,
  });
  return {
    id: assetId("server", name),
    kind: "server",
    name,
    version,
    versionLine: 4,
    contentHash: `${name}-${version}`,
    requires: Object.entries(manifest.dependsOn?.servers ?? {}).map(([target, range]) => requirement(assetId("server", target), range)),
    source: at(`servers/${name}/server.yaml`),
    origin,
    server: manifest,
  };
}

function skill(name: string, version: string, requires: Requirement[] = [], extra: Record<string, unknown> = {}, origin: AssetVersion["origin"] = "tag"): AssetVersion {
  const frontmatter = skillFrontmatterSchema.parse({
    name,
    description: `How to ${name}.`,
    metadata: { version, owner: "success" },
    ...extra,
  });
  return {
    id: assetId("skill", name),
    kind: "skill",
    name,
    version,
    versionLine: 5,
    contentHash: `${name}-${version}`,
    requires,
    source: at(`skills/${name}/SKILL.md`),
    origin,
    skill: { frontmatter, headings: [] },
  };
}

function agent(name: string, options: { team?: string; tier?: AgentFacts["tier"]; model?: string; requirements?: Requirement[] } = {}): AgentFacts {
  const manifest = agentManifestSchema.parse({ name, team: options.team ?? "support", tier: options.tier ?? "production", model: options.model ?? "default" });
  return {
    name,
    team: manifest.team,
    tier: manifest.tier,
    model: manifest.model,
    requirements: options.requirements ?? [],
    overlays: new Map(),
    source: at(`${name}/agent.yaml`),
    repo: name,
    modelLine: 5,
    manifest,
  };
}

/**
 * A small org:
 * - server crm 1.0.0 and 2.0.0 tagged, 2.1.0 on the tree; crm 2.x depends on server audit ^1.
 * - server audit 1.0.0 tagged and on the tree; server legacy 0.9.0 tagged only (removed from the tree).
 * - skill onboarding 1.0.0 requires server:crm@^2.0.0.
 * - agents: `triage` uses crm ~1.0.0 directly; `onboarder` uses only the onboarding skill (crm and
 *   audit are transitive); `concierge` uses crm ^2 on the `fast` alias; `pilot` pins a model id and
 *   needs a skill that does not exist (unsatisfiable).
 */
function org(): CatalogFacts {
  const crm2 = { dependsOn: { servers: { audit: "^1.0.0" } } };
  const crmTree = server(
    "crm",
    "2.1.0",
    {
      ...crm2,
      websiteUrl: "https://crm.example.com",
      remotes: [{ type: "streamable-http", url: "https://crm.example.com/mcp" }],
      scopes: ["crm.cases:write", "crm.cases:read"],
      guarantees: { availability: "99.9%" },
      tools: [
        { name: "update_case", description: "Updates a case.", inputSchema: { type: "object", required: ["status", "case_id"] }, scopes: ["crm.cases:write"] },
        { name: "get_case", description: "Reads a case.", inputSchema: { type: "object", required: ["case_id"] }, scopes: ["crm.cases:read"] },
      ],
    },
    "head",
  );
  const audit = server("audit", "1.0.0", { owner: "security" });
  const tags = new Map<AssetId, AssetVersion[]>([
    ["server:crm", [server("crm", "1.0.0"), server("crm", "2.0.0", crm2)]],
    ["server:audit", [audit]],
    ["server:legacy", [server("legacy", "0.9.0", { lifecycle: "deprecated" })]],
    ["skill:onboarding", [skill("onboarding", "1.0.0", [requirement("server:crm", "^2.0.0")])]],
  ]);
  const tree = new Map<AssetId, AssetVersion>([
    ["server:crm", crmTree],
    ["server:audit", { ...audit, origin: "head" }],
    ["skill:onboarding", skill("onboarding", "1.0.0", [requirement("server:crm", "^2.0.0")], { "allowed-tools": "mcp__crm__get_case  mcp__crm__update_case" }, "head")],
  ]);
  return {
    ref: "main",
    tags,
    tree: {
      assets: tree,
      models: modelsConfigSchema.parse({
        default: "claude-sonnet-4-5",
        aliases: { fast: "claude-haiku-4-5" },
        deprecated: { "claude-sonnet-4-5": { retires: "2026-11-30", replacement: "claude-sonnet-4-6" } },
      }),
      modelsSource: at("models.yaml"),
    },
    agents: [
      agent("triage", { requirements: [requirement("server:crm", "~1.0.0")] }),
      agent("onboarder", { team: "success", tier: "staging", requirements: [requirement("skill:onboarding", "^1.0.0")] }),
      agent("concierge", { model: "fast", requirements: [requirement("server:crm", "^2.0.0")] }),
      agent("pilot", { tier: "experimental", model: "claude-opus-4-6", requirements: [requirement("skill:missing", "^1.0.0"), requirement("server:audit", "^1.0.0")] }),
    ],
  };
}

function dependentsOf(catalog: ReturnType<typeof buildCatalog>, id: string) {
  const [kind, name] = id.split(":");
  const list = kind === "server" ? catalog.servers : catalog.skills;
  const entry = list.find((item) => item.name === name);
  return entry && { count: entry.dependents.count, agents: entry.dependents.agents.map((row) => `${row.agent}@${row.version}`) };
}

describe("buildCatalog", () => {
  it.each([
    ["server:crm", 3, ["concierge@2.1.0", "onboarder@2.1.0", "triage@1.0.0"]],
    ["server:audit", 3, ["concierge@1.0.0", "onboarder@1.0.0", "pilot@1.0.0"]],
    ["server:legacy", 0, []],
    ["skill:onboarding", 1, ["onboarder@1.0.0"]],
  ])("counts the agents resolving %s, with their versions, when some reach it only transitively", (id, count, agents) => {
    expect(dependentsOf(buildCatalog(org()), id)).toEqual({ count, agents });
  });

  it("lists an asset only tagged as its highest version with no latest when the ref no longer holds it", () => {
    const legacy = buildCatalog(org()).servers.find((entry) => entry.name === "legacy");
    expect({ latest: legacy?.latest, versions: legacy?.versions, lifecycle: legacy?.lifecycle }).toEqual({ latest: null, versions: ["0.9.0"], lifecycle: "deprecated" });
  });

  it("describes an asset the ref no longer holds as its highest stable version, not a prerelease above it", () => {
    const facts = org();
    const tags = new Map(facts.tags);
    tags.set("server:legacy", [server("legacy", "0.9.0", { lifecycle: "deprecated" }), server("legacy", "1.0.0-beta.1", { lifecycle: "experimental" })]);
    const legacy = buildCatalog({ ...facts, tags }).servers.find((entry) => entry.name === "legacy");
    expect({ latest: legacy?.latest, versions: legacy?.versions, lifecycle: legacy?.lifecycle }).toEqual({ latest: null, versions: ["1.0.0-beta.1", "0.9.0"], lifecycle: "deprecated" });
  });

  it("describes a server as of the tree's version with every published version highest first when tags and tree differ", () => {
    const crm = buildCatalog(org()).servers.find((entry) => entry.name === "crm");
    expect(crm).toMatchInlineSnapshot(`
      {
        "dependents": {
          "agents": [
            {
              "agent": "concierge",
              "team": "support",
              "tier": "production",
              "version": "2.1.0",
            },
            {
              "agent": "onboarder",
              "team": "success",
              "tier": "staging",
              "version": "2.1.0",
            },
            {
              "agent": "triage",
              "team": "support",
              "tier": "production",
              "version": "1.0.0",
            },
          ],
          "count": 3,
        },
        "dependsOn": [
          {
            "range": "^1.0.0",
            "server": "audit",
          },
        ],
        "description": "The crm server.",
        "guarantees": {
          "availability": "99.9%",
        },
        "latest": "2.1.0",
        "lifecycle": "production",
        "name": "crm",
        "owner": "platform",
        "packages": [],
        "remotes": [
          {
            "type": "streamable-http",
            "url": "https://crm.example.com/mcp",
          },
        ],
        "scopes": [
          "crm.cases:read",
          "crm.cases:write",
        ],
        "title": "CRM",
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
          {
            "description": "Updates a case.",
            "name": "update_case",
            "requiredInputs": [
              "case_id",
              "status",
            ],
            "scopes": [
              "crm.cases:write",
            ],
          },
        ],
        "versions": [
          "2.1.0",
          "2.0.0",
          "1.0.0",
        ],
        "websiteUrl": "https://crm.example.com",
      }
    `);
  });

  it("summarises models, owners, agents and skills when agents use default, an alias and a pinned id", () => {
    const catalog = buildCatalog(org());
    expect({ models: catalog.models, owners: catalog.owners, agents: catalog.agents, skills: catalog.skills.map(({ dependents: _, ...rest }) => rest) }).toMatchInlineSnapshot(`
      {
        "agents": [
          {
            "model": "claude-haiku-4-5",
            "name": "concierge",
            "status": "ok",
            "team": "support",
            "tier": "production",
          },
          {
            "model": "claude-sonnet-4-5",
            "name": "onboarder",
            "status": "ok",
            "team": "success",
            "tier": "staging",
          },
          {
            "model": "claude-opus-4-6",
            "name": "pilot",
            "status": "unsatisfiable",
            "team": "support",
            "tier": "experimental",
          },
          {
            "model": "claude-sonnet-4-5",
            "name": "triage",
            "status": "ok",
            "team": "support",
            "tier": "production",
          },
        ],
        "models": {
          "aliases": {
            "fast": "claude-haiku-4-5",
          },
          "allowed": null,
          "default": "claude-sonnet-4-5",
          "dependents": {
            "claude-haiku-4-5": 1,
            "claude-opus-4-6": 1,
            "claude-sonnet-4-5": 2,
          },
          "deprecated": {
            "claude-sonnet-4-5": {
              "replacement": "claude-sonnet-4-6",
              "retires": "2026-11-30",
            },
          },
        },
        "owners": {
          "platform": {
            "servers": [
              "crm",
              "legacy",
            ],
            "skills": [],
          },
          "security": {
            "servers": [
              "audit",
            ],
            "skills": [],
          },
          "success": {
            "servers": [],
            "skills": [
              "onboarding",
            ],
          },
        },
        "skills": [
          {
            "allowedTools": [
              "mcp__crm__get_case",
              "mcp__crm__update_case",
            ],
            "description": "How to onboarding.",
            "latest": "1.0.0",
            "name": "onboarding",
            "owner": "success",
            "requires": [
              {
                "asset": "server:crm",
                "range": "^2.0.0",
              },
            ],
            "versions": [
              "1.0.0",
            ],
          },
        ],
      }
    `);
  });

  it("gives byte-identical JSON when the agents and assets arrive in another order", () => {
    const facts = org();
    const reversed: CatalogFacts = {
      ...facts,
      agents: [...facts.agents].reverse(),
      tags: new Map([...facts.tags].reverse().map(([id, versions]) => [id, [...versions].reverse()])),
      tree: { ...facts.tree, assets: new Map([...facts.tree.assets].reverse()) },
    };
    expect(JSON.stringify(buildCatalog(reversed))).toBe(JSON.stringify(buildCatalog(facts)));
  });

  it("orders servers, skills and agents by name when built from an org", () => {
    const catalog = buildCatalog(org());
    expect({
      servers: catalog.servers.map((entry) => entry.name),
      skills: catalog.skills.map((entry) => entry.name),
      agents: catalog.agents.map((entry) => entry.name),
    }).toEqual({ servers: ["audit", "crm", "legacy"], skills: ["onboarding"], agents: ["concierge", "onboarder", "pilot", "triage"] });
  });

  it("passes catalogSchema when built from an org", () => {
    expect(catalogSchema.safeParse(buildCatalog(org())).error).toBeUndefined();
  });

  it("writes null models and counts pinned ids only when models.yaml is missing", () => {
    const facts = org();
    const catalog = buildCatalog({ ...facts, tree: { ...facts.tree, models: null } });
    expect(catalog.models).toEqual({ default: null, aliases: {}, allowed: null, deprecated: {}, dependents: { "claude-opus-4-6": 1 } });
    expect(catalog.agents.find((entry) => entry.name === "triage")).toMatchObject({ model: null, status: "unsatisfiable" });
  });
});
