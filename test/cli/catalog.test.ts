import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../app/cli/main.ts";
import { catalogSchema } from "../../schemas/catalog.schema.ts";
import { mcpServerJsonSchema } from "../../schemas/mcp-server-json.schema.ts";

let root: string;

function git(cwd: string, args: string[]): void {
  execFileSync("git", args, { cwd, stdio: "pipe" });
}

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

function serverYaml(version: string): string {
  return `name: crm
title: Acme CRM
description: Customers, cases and notes from Acme's CRM.
version: ${version}
owner: platform
lifecycle: production
remotes:
  - type: streamable-http
    url: https://crm.example.com/mcp
scopes: [crm.cases:read]
guarantees:
  availability: "99.9%"
tools:
  - name: get_case
    description: Reads a case.
    inputSchema:
      type: object
      properties:
        case_id: { type: string }
      required: [case_id]
    scopes: [crm.cases:read]
`;
}

function agentYaml(name: string, team: string, needs: string): string {
  return `name: ${name}
team: ${team}
tier: production
model: default
${needs}
`;
}

/**
 * A registry with crm 1.0.0 and 1.1.0 tagged and the onboarding skill (requiring crm ^1.1.0)
 * tagged at 1.0.0, plus two agents: `triage` pins crm ~1.0.0; `onboarder` uses only the skill.
 */
async function makeOrg(): Promise<void> {
  const registry = path.join(root, "registry");
  await mkdir(registry, { recursive: true });
  git(registry, ["init", "-q", "-b", "main"]);
  git(registry, ["config", "user.name", "blastgate test"]);
  git(registry, ["config", "user.email", "test@example.com"]);
  git(registry, ["config", "commit.gpgsign", "false"]);
  git(registry, ["config", "tag.gpgsign", "false"]);
  await write(path.join(registry, "models.yaml"), "default: claude-sonnet-4-6\naliases:\n  fast: claude-haiku-4-5\n");
  await write(path.join(registry, ".github/blastgate.yml"), "catalog:\n  namespace: com.acme\n");
  await write(path.join(registry, "servers/crm/server.yaml"), serverYaml("1.0.0"));
  git(registry, ["add", "-A"]);
  git(registry, ["commit", "-q", "-m", "crm 1.0.0"]);
  git(registry, ["tag", "servers/crm@1.0.0"]);
  await write(path.join(registry, "servers/crm/server.yaml"), serverYaml("1.1.0"));
  await write(
    path.join(registry, "skills/onboarding/SKILL.md"),
    `---
name: onboarding
description: Runs a new customer's first month.
allowed-tools: mcp__crm__get_case
metadata:
  version: 1.0.0
  owner: success
  requires: "server:crm@^1.1.0"
---
# Onboarding

## First message
`,
  );
  git(registry, ["add", "-A"]);
  git(registry, ["commit", "-q", "-m", "crm 1.1.0, onboarding 1.0.0"]);
  git(registry, ["tag", "servers/crm@1.1.0"]);
  git(registry, ["tag", "skills/onboarding@1.0.0"]);
  await write(path.join(root, "agents/triage/agent.yaml"), agentYaml("triage", "support", "servers:\n  crm: ~1.0.0"));
  await write(path.join(root, "agents/onboarder/agent.yaml"), agentYaml("onboarder", "success", "skills:\n  onboarding: ^1.0.0"));
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: root, today: "2026-06-01" };
  const code = await main(["catalog", "--registry", "registry", "--agents", "agents", "--out", "out", ...args], io);
  return { code, stdout, stderr };
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(path.join(root, file), "utf8"));
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "blastgate-catalog-"));
  await makeOrg();
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("blastgate catalog", () => {
  it("writes catalog.json and a valid server.json per server when the registry and agents are valid", async () => {
    const result = await run([]);
    expect(result).toMatchInlineSnapshot(`
      {
        "code": 0,
        "stderr": "",
        "stdout": "blastgate catalog: wrote 1 server, 1 skill to out
      ",
      }
    `);

    const catalog = catalogSchema.parse(await readJson("out/catalog.json"));
    expect({
      ref: catalog.ref,
      servers: catalog.servers.map((server) => ({ name: server.name, latest: server.latest, versions: server.versions, dependents: server.dependents })),
      skills: catalog.skills.map((skill) => ({ name: skill.name, requires: skill.requires, dependents: skill.dependents.count })),
      models: catalog.models.dependents,
      owners: catalog.owners,
    }).toMatchInlineSnapshot(`
      {
        "models": {
          "claude-sonnet-4-6": 2,
        },
        "owners": {
          "platform": {
            "servers": [
              "crm",
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
        "ref": "WORKTREE",
        "servers": [
          {
            "dependents": {
              "agents": [
                {
                  "agent": "onboarder",
                  "team": "success",
                  "tier": "production",
                  "version": "1.1.0",
                },
                {
                  "agent": "triage",
                  "team": "support",
                  "tier": "production",
                  "version": "1.0.0",
                },
              ],
              "count": 2,
            },
            "latest": "1.1.0",
            "name": "crm",
            "versions": [
              "1.1.0",
              "1.0.0",
            ],
          },
        ],
        "skills": [
          {
            "dependents": 1,
            "name": "onboarding",
            "requires": [
              {
                "asset": "server:crm",
                "range": "^1.1.0",
              },
            ],
          },
        ],
      }
    `);

    const serverJson = mcpServerJsonSchema.parse(await readJson("out/servers/crm.json"));
    expect({ name: serverJson.name, version: serverJson.version, $schema: serverJson.$schema }).toEqual({
      name: "com.acme/crm",
      version: "1.1.0",
      $schema: "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
    });
  });

  it("writes byte-identical files when run twice on the same input", async () => {
    await run([]);
    const first = await Promise.all(["out/catalog.json", "out/servers/crm.json"].map((file) => readFile(path.join(root, file), "utf8")));
    await rm(path.join(root, "out"), { recursive: true });
    await run([]);
    const second = await Promise.all(["out/catalog.json", "out/servers/crm.json"].map((file) => readFile(path.join(root, file), "utf8")));
    expect(second).toEqual(first);
  });

  it("reads the registry at a ref and names servers com.example when --ref names a commit without a gate policy", async () => {
    const registry = path.join(root, "registry");
    git(registry, ["rm", "-q", ".github/blastgate.yml"]);
    git(registry, ["commit", "-q", "-m", "no policy"]);
    const result = await run(["--ref", "main"]);
    expect(result.code).toBe(0);
    const serverJson = mcpServerJsonSchema.parse(await readJson("out/servers/crm.json"));
    expect([serverJson.name, catalogSchema.parse(await readJson("out/catalog.json")).ref]).toEqual(["com.example/crm", "main"]);
  });

  it("prints the problems, still writes the catalog and exits 1 when an agent is unsatisfiable", async () => {
    await write(path.join(root, "agents/broken/agent.yaml"), agentYaml("broken", "support", "servers:\n  crm: ^9.0.0"));
    const result = await run([]);
    expect(result).toMatchInlineSnapshot(`
      {
        "code": 1,
        "stderr": "",
        "stdout": "agents/broken/agent.yaml:6: error: is unsatisfiable: no version of server:crm satisfies \`^9.0.0\` from agent.yaml; published versions are 1.1.0, 1.0.0. Widen a range or publish a version that fits [broken]
      blastgate catalog: wrote 1 server, 1 skill to out
      ",
      }
    `);
    const catalog = catalogSchema.parse(await readJson("out/catalog.json"));
    expect(catalog.agents.map((agent) => `${agent.name}:${agent.status}`)).toEqual(["broken:unsatisfiable", "onboarder:ok", "triage:ok"]);
    expect(existsSync(path.join(root, "out/servers/crm.json"))).toBe(true);
  });

  it("reports a namespace too long for the MCP registry's name limit at its line, writes catalog.json, and exports no server.json", async () => {
    await write(path.join(root, "registry/.github/blastgate.yml"), `catalog:\n  namespace: ${"a".repeat(200)}\n`);
    const result = await run([]);
    expect(result.stdout).toMatchInlineSnapshot(`
      "registry/.github/blastgate.yml:2: error: \`catalog.namespace\` is too long: at most 120 characters, got 200; shorten it
      registry/.github/blastgate.yml:1: warning: has errors, so no server.json was exported: each server's MCP registry name and blastgate's \`_meta\` key come from its \`catalog.namespace\`; fix it and run catalog again (catalog.json was written)
      blastgate catalog: wrote 0 servers, 1 skill to out
      "
    `);
    expect([result.code, existsSync(path.join(root, "out/catalog.json")), existsSync(path.join(root, "out/servers/crm.json"))]).toEqual([1, true, false]);
  });

  it("removes a server.json an earlier run left when the server no longer exports, and only that", async () => {
    await run([]);
    await write(path.join(root, "out/servers/retired.json"), "{}\n");
    await write(path.join(root, "out/servers/notes.txt"), "kept\n");
    await write(path.join(root, "out/servers/archive/old.json"), "{}\n");
    await write(path.join(root, "registry/.github/blastgate.yml"), "catalog:\n  namespace: 42\n");
    const result = await run([]);
    expect(result.stdout.split("\n").at(-2)).toBe("blastgate catalog: wrote 0 servers, 1 skill to out; removed servers/crm.json, servers/retired.json, left by an earlier run");
    const left = ["catalog.json", "servers/crm.json", "servers/retired.json", "servers/notes.txt", "servers/archive/old.json"].filter((file) => existsSync(path.join(root, "out", file)));
    expect(left).toEqual(["catalog.json", "servers/notes.txt", "servers/archive/old.json"]);
  });

  it("exports no server.json for a server whose working-tree server.yaml is refused, and catalogs its highest stable version", async () => {
    const registry = path.join(root, "registry");
    await write(path.join(registry, "servers/crm/server.yaml"), serverYaml("2.0.0-beta.1"));
    git(registry, ["commit", "-q", "-am", "crm 2.0.0-beta.1"]);
    git(registry, ["tag", "servers/crm@2.0.0-beta.1"]);
    await run([]);
    expect(existsSync(path.join(root, "out/servers/crm.json"))).toBe(true);
    await write(path.join(registry, "servers/crm/server.yaml"), "name: crm\nversion: [not, a, version\n");
    const result = await run([]);
    const lines = result.stdout.split("\n");
    expect([result.code, lines.filter((line) => line.includes("not exported"))]).toEqual([
      1,
      ["registry/servers/crm/server.yaml:1: warning: was not exported: this server.yaml has errors, and no published version is what this ref holds; fix it and run catalog again (servers/crm.json was not written)"],
    ]);
    expect(lines.at(-2)).toBe("blastgate catalog: wrote 0 servers, 1 skill to out; removed servers/crm.json, left by an earlier run");
    const crm = catalogSchema.parse(await readJson("out/catalog.json")).servers.find((server) => server.name === "crm");
    expect({ latest: crm?.latest, versions: crm?.versions }).toEqual({ latest: null, versions: ["2.0.0-beta.1", "1.1.0", "1.0.0"] });
    expect(existsSync(path.join(root, "out/servers/crm.json"))).toBe(false);
  });

  it("writes neither of two servers whose MCP registry names collide, and validate reports the collision too", async () => {
    const registry = path.join(root, "registry");
    await write(path.join(registry, "servers/billing/server.yaml"), serverYaml("1.0.0").replace("name: crm", "name: billing"));
    await write(path.join(registry, "servers/crm/server.yaml"), `mcpName: com.acme/billing\n${serverYaml("1.1.0")}`);
    const message =
      "registry/servers/crm/server.yaml:1: error: exports to the MCP registry as `com.acme/billing`, the name server `billing` (servers/billing/server.yaml) exports as too; give one of them another `mcpName`. catalog writes neither server.json";
    const result = await run([]);
    expect([result.code, result.stdout.split("\n")]).toEqual([1, [message, "blastgate catalog: wrote 0 servers, 1 skill to out", ""]]);
    expect(["billing", "crm"].map((name) => existsSync(path.join(root, `out/servers/${name}.json`)))).toEqual([false, false]);

    let stdout = "";
    const io: CliIo = { stdout: (text) => (stdout += text), stderr: () => undefined, cwd: root, today: "2026-06-01" };
    const code = await main(["validate", "--registry", "registry", "--agents", "agents"], io);
    expect([code, stdout.split("\n")[0]]).toEqual([1, message]);
  });

  it("exits 2 with a usage error when --out is missing", async () => {
    let stderr = "";
    const io: CliIo = { stdout: () => undefined, stderr: (text) => (stderr += text), cwd: root, today: "2026-06-01" };
    const code = await main(["catalog", "--registry", "registry", "--agents", "agents"], io);
    expect([code, stderr]).toEqual([2, "blastgate: required option '--out <dir>' not specified (run `blastgate --help` for usage)\n"]);
  });
});
