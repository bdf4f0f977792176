import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTempOrg, modelsYaml, serverYaml, skillMd, type TempOrg } from "../helpers/git-registry.ts";

let org: TempOrg;

beforeEach(() => {
  org = createTempOrg();
  org.write({ "models.yaml": modelsYaml(), "servers/crm/server.yaml": serverYaml("crm", "1.0.0"), "skills/tone-guide/SKILL.md": skillMd("tone-guide", "1.0.0", { sections: ["Voice"] }) });
  org.commit("crm 1.0.0, tone-guide 1.0.0", "servers/crm@1.0.0", "skills/tone-guide@1.0.0");
  org.writeAgent("triage", { name: "triage", team: "support", tier: "production", servers: { crm: "^1.0.0" } });
});
afterEach(() => org.remove());

/** Writes an agent repo outside the agents folder, at `<root>/<dir>`. */
function writeRepoElsewhere(dir: string, name: string): string {
  const repo = path.join(org.root, dir);
  mkdirSync(repo, { recursive: true });
  execFileSync("cp", [path.join(org.agents, "triage", "agent.yaml"), path.join(repo, "agent.yaml")]);
  execFileSync("sed", ["-i.bak", `s/^name: triage$/name: ${name}/`, path.join(repo, "agent.yaml")]);
  return repo;
}

describe("agent repos on disk", () => {
  it("follows a symlink to an agent repo inside an --agents folder", async () => {
    symlinkSync(writeRepoElsewhere("elsewhere/billing", "billing"), path.join(org.agents, "billing"));
    const { code, stdout } = await org.run(["affected", "--agents", "../agents", "--format", "json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { summary: { agents: number }; problems: unknown[] };
    expect([report.summary.agents, report.problems]).toEqual([2, []]);
  });

  it("reads a repo reached both directly and through a symlink in the same folder once", async () => {
    symlinkSync(path.join(org.agents, "triage"), path.join(org.agents, "triage-again"));
    expect(await org.run(["validate", "--agents", "../agents"])).toEqual({
      code: 0,
      stdout: "blastgate validate: 2 assets and 1 agent read, 0 files refused; 0 errors, 0 warnings\n",
      stderr: "",
    });
  });

  it("passes over a symlink in an --agents folder that leads nowhere, or to a file", async () => {
    symlinkSync(path.join(org.root, "gone"), path.join(org.agents, "dangling"));
    symlinkSync(path.join(org.registry, "models.yaml"), path.join(org.agents, "a-file"));
    const { code, stdout } = await org.run(["validate", "--agents", "../agents"]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: "blastgate validate: 2 assets and 1 agent read, 0 files refused; 0 errors, 0 warnings\n" });
  });

  it("stops with one line naming an agent.yaml it cannot read, instead of leaving the repo out", async () => {
    // A symlink to itself: open fails with ELOOP, which is not "missing" (and, unlike a mode, holds for root too).
    org.writeAgent("looping", { name: "looping", team: "ops", tier: "staging" });
    execFileSync("rm", [path.join(org.agents, "looping", "agent.yaml")]);
    symlinkSync("agent.yaml", path.join(org.agents, "looping", "agent.yaml"));
    // The agents folder's own agent.yaml is looked for first: name the repo itself.
    expect(await org.run(["validate", "--agents", "../agents/looping"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "blastgate: cannot read ../agents/looping/agent.yaml: too many symbolic links encountered\n",
    });
    expect(await org.run(["validate", "--agents", "../agents"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "blastgate: cannot read ../agents/looping/agent.yaml: too many symbolic links encountered\n",
    });
  });

  it.each([
    ["a folder", (file: string) => mkdirSync(file), "is a folder, not a file"],
    ["a symlink to /dev/zero", (file: string) => symlinkSync("/dev/zero", file), "is not a regular file (a device, a pipe or a socket)"],
    ["a FIFO", (file: string) => execFileSync("mkfifo", [file]), "is not a regular file (a device, a pipe or a socket)"],
  ])("reports an agent.yaml that is %s on that file, and counts it refused", async (_what, make, words) => {
    mkdirSync(path.join(org.agents, "odd"));
    make(path.join(org.agents, "odd", "agent.yaml"));
    const expected = {
      code: 1,
      stdout: [
        `../agents/odd/agent.yaml:1: error: ${words}; an agent repo holds an agent.yaml file at its root`,
        "blastgate validate: 2 assets and 1 agent read, 1 file refused; 1 error, 0 warnings",
        "",
      ].join("\n"),
      stderr: "",
    };
    expect(await org.run(["validate", "--agents", "../agents"])).toEqual(expected);
    // Named as the --agents folder itself, too.
    expect(await org.run(["validate", "--agents", "../agents/odd", "--agents", "../agents/triage"])).toEqual(expected);
  });

  it("reports an overlay that is a folder as a folder, not as missing", async () => {
    org.writeAgent("overlaid", { name: "overlaid", team: "support", tier: "staging", skills: { "tone-guide": { version: "^1.0.0", overlay: "overlays/tone.md" } } });
    mkdirSync(path.join(org.agents, "overlaid", "overlays", "tone.md"), { recursive: true });
    const { code, stdout } = await org.run(["validate", "--agents", "../agents"]);
    expect({ code, stdout }).toEqual({
      code: 1,
      stdout: [
        "../agents/overlaid/agent.yaml:7: error: overlay `overlays/tone.md` for skill `tone-guide` is a folder, not a file; point it at a markdown file in the agent repo [overlaid]",
        "blastgate validate: 2 assets and 2 agents read, 1 file refused; 1 error, 0 warnings",
        "",
      ].join("\n"),
    });
  });
});
