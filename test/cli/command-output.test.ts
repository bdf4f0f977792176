import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempOrg, modelsYaml, serverYaml, type TempOrg } from "../helpers/git-registry.ts";

let org: TempOrg;

beforeEach(() => {
  org = createTempOrg();
  org.write({ "models.yaml": modelsYaml(), "servers/crm/server.yaml": serverYaml("crm", "2.0.0") });
  org.commit("crm 2.0.0", "servers/crm@2.0.0");
  org.writeAgent("support", { name: "support", team: "cx", tier: "production", servers: { crm: "^2.0.0" } });
});
afterEach(() => org.remove());

describe("what the commands print", () => {
  it("refuses a --today that is not a date, as a usage error", async () => {
    const { code, stderr } = await org.run(["validate", "--agents", "../agents", "--today", "garbage"]);
    expect([code, stderr.trim()]).toEqual([2, "blastgate: option '--today <date>' argument 'garbage' is invalid. expected a date as YYYY-MM-DD; got `garbage` (run `blastgate --help` for usage)"]);
  });

  it("gives validate's counts in its JSON as in its summary line", async () => {
    const { stdout } = await org.run(["validate", "--agents", "../agents", "--format", "json"]);
    expect((JSON.parse(stdout) as { summary: unknown }).summary).toEqual({ assets: 1, agents: 1, refused: 0, errors: 0, warnings: 0 });
  });

  it("quotes the reproduce command of the PR comment for the shell", async () => {
    const spaced = path.join(org.root, "agent repos", "ops");
    mkdirSync(spaced, { recursive: true });
    writeFileSync(path.join(spaced, "agent.yaml"), "name: ops\nteam: ops\ntier: staging\nservers:\n  crm: ^2.0.0\n");
    org.write({ "servers/crm/server.yaml": serverYaml("crm", "2.1.0") });
    const { stdout } = await org.run(["affected", "--agents", "../agents", "--agents", "../agent repos", "--format", "markdown"]);
    expect(stdout).toContain("npx blastgate affected --registry . --agents ../agents --agents '../agent repos' --base main");
  });
});
