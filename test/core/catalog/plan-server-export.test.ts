import { describe, expect, it } from "vitest";
import { serverManifestSchema } from "../../../schemas/server.schema.ts";
import { checkServerNames, planServerExport, type ServerExportFacts } from "../../../app/core/catalog/plan-server-export.ts";
import { assetId, type AssetId, type AssetVersion } from "../../../app/core/registry/model.ts";

const policySource = { repo: "registry", path: ".github/blastgate.yml" };

function server(name: string, version: string, extra: Record<string, unknown> = {}, origin: AssetVersion["origin"] = "tag"): AssetVersion {
  const file = `servers/${name}/server.yaml`;
  return {
    id: assetId("server", name),
    kind: "server",
    name,
    version,
    versionLine: 4,
    contentHash: `${name}-${version}`,
    requires: [],
    source: origin === "tag" ? { repo: "registry", path: file, ref: `servers/${name}@${version}` } : { repo: "registry", path: file },
    origin,
    server: serverManifestSchema.parse({ name, description: `The ${name} server.`, version, owner: "platform", lifecycle: "production", ...extra }),
  };
}

/** Servers on the tree (tagged at the same version), plus servers only tagged, and the ids unreadable on the tree. */
function facts(onTree: AssetVersion[], options: { tagged?: AssetVersion[]; unreadable?: AssetId[]; namespace?: string | null } = {}): ServerExportFacts {
  const tags = new Map<AssetId, AssetVersion[]>();
  for (const version of [...onTree.map((tree) => ({ ...tree, origin: "tag" as const })), ...(options.tagged ?? [])]) tags.set(version.id, [...(tags.get(version.id) ?? []), version]);
  return {
    tags,
    tree: {
      assets: new Map(onTree.map((version) => [version.id, { ...version, origin: "head" as const, source: { repo: "registry", path: version.source.path } }])),
      models: null,
      modelsSource: { repo: "registry", path: "models.yaml" },
      unreadable: new Set(options.unreadable ?? []),
    },
    namespace: options.namespace === undefined ? "example.acme" : options.namespace,
  };
}

describe("planServerExport", () => {
  it("exports every server when nothing stands in the way", () => {
    const plan = planServerExport(facts([server("crm", "1.0.0"), server("billing", "2.0.0")]), policySource);
    expect({ exported: [...plan.exported], problems: plan.problems }).toEqual({ exported: ["billing", "crm"], problems: [] });
  });

  it("exports nothing, with one warning on the gate policy, when the policy is invalid (no namespace)", () => {
    const plan = planServerExport(facts([server("crm", "1.0.0")], { namespace: null }), policySource);
    expect([...plan.exported]).toEqual([]);
    expect(plan.problems.map((problem) => `${problem.path}:${problem.line}: ${problem.level}: ${problem.message}`)).toEqual([
      ".github/blastgate.yml:1: warning: has errors, so no server.json was exported: each server's MCP registry name and blastgate's `_meta` key come from its `catalog.namespace`; fix it and run catalog again (catalog.json was written)",
    ]);
  });

  it("does not export a server whose server.yaml is unreadable at the ref, even with versions published", () => {
    const plan = planServerExport(facts([server("billing", "2.0.0")], { tagged: [server("crm", "1.0.0"), server("crm", "3.0.0-beta.1")], unreadable: ["server:crm"] }), policySource);
    expect([...plan.exported]).toEqual(["billing"]);
    expect(plan.problems.map((problem) => `${problem.path}:${problem.line}: ${problem.level}: ${problem.message}`)).toEqual([
      "servers/crm/server.yaml:1: warning: was not exported: this server.yaml has errors, and no published version is what this ref holds; fix it and run catalog again (servers/crm.json was not written)",
    ]);
  });

  it("exports neither of two servers whose MCP registry names collide, with an error on the second server.yaml", () => {
    const plan = planServerExport(facts([server("billing", "2.0.0"), server("crm", "1.0.0", { mcpName: "example.acme/billing" }), server("notes", "1.0.0")]), policySource);
    expect([...plan.exported]).toEqual(["notes"]);
    expect(plan.problems.map((problem) => `${problem.path}:${problem.line}: ${problem.level}: ${problem.message}`)).toEqual([
      "servers/crm/server.yaml:1: error: exports to the MCP registry as `example.acme/billing`, the name server `billing` (servers/billing/server.yaml) exports as too; give one of them another `mcpName`. catalog writes neither server.json",
    ]);
  });
});

describe("checkServerNames", () => {
  it("compares only mcpNames when there is no namespace", () => {
    const found = checkServerNames(facts([server("a", "1.0.0", { mcpName: "io.github.acme/x" }), server("b", "1.0.0", { mcpName: "io.github.acme/x" }), server("c", "1.0.0")], { namespace: null }));
    expect({ conflicting: [...found.conflicting], lines: found.problems.map((problem) => `${problem.path}: ${problem.code}`) }).toEqual({
      conflicting: ["a", "b"],
      lines: ["servers/b/server.yaml: duplicate-server-name"],
    });
  });

  it("reports each later server of a three-way collision against the first, at the ref it describes", () => {
    const found = checkServerNames(facts([server("a", "1.0.0", { mcpName: "example.acme/c" }), server("c", "1.0.0")], { tagged: [server("b", "1.0.0", { mcpName: "example.acme/c" })] }));
    expect(found.problems.map((problem) => [problem.path, problem.ref ?? null])).toEqual([
      ["servers/b/server.yaml", "servers/b@1.0.0"],
      ["servers/c/server.yaml", null],
    ]);
  });
});
