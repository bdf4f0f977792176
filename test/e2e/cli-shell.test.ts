import { execFile, execFileSync } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempOrg, modelsYaml, serverYaml, type TempOrg } from "../helpers/git-registry.ts";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "..", "..");
const cli = path.join(root, "dist", "cli.js");
let org: TempOrg;

/** Runs the built CLI from the registry folder, as `npx blastgate` would. */
async function blastgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: org.registry, env: { ...process.env, BLASTGATE_DEBUG: "", BLASTGATE_NO_CACHE: "", BLASTGATE_CACHE_DIR: path.join(org.root, "cache") } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * A Node older than 24 to run the bundle with: the first on PATH (this machine's system
 * Node, behind the Node 24 that scripts/node24 puts first), else this Node told to report
 * itself as 20.0.0 before the bundle loads.
 */
function olderNode(): { command: string; prefix: string[]; version: string } {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, "node");
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const version = execFileSync(candidate, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
    if (Number.parseInt(version, 10) < 24) return { command: candidate, prefix: [], version };
  }
  const pretend = 'Object.defineProperty(process.versions, "node", { value: "20.0.0" });';
  return { command: process.execPath, prefix: ["--import", `data:text/javascript,${encodeURIComponent(pretend)}`], version: "20.0.0" };
}

beforeAll(() => {
  org = createTempOrg();
  org.write({ "models.yaml": modelsYaml(), "servers/crm/server.yaml": serverYaml("crm", "1.0.0") });
  org.commit("crm 1.0.0", "servers/crm@1.0.0");
  org.writeAgent("triage", { name: "triage", team: "support", tier: "production", servers: { crm: "^1.0.0" } });
});
afterAll(() => org.remove());

describe("the built CLI's shell", () => {
  it("prints the version in package.json, which the bundle carries inside it", async () => {
    const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    expect(await blastgate("--version")).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("keeps its parse cache in BLASTGATE_CACHE_DIR, a folder of the test's own, not the user's", async () => {
    expect((await blastgate("validate", "--agents", "../agents")).code).toBe(0);
    expect(readdirSync(path.join(org.root, "cache"))).toEqual(["parses.json"]);
  });

  it("reports catalog --out naming a file in one line, with no stack, and exits 2", async () => {
    writeFileSync(path.join(org.root, "catalog.txt"), "not a folder\n");
    expect(await blastgate("catalog", "--agents", "../agents", "--out", "../catalog.txt")).toEqual({
      code: 2,
      stdout: "",
      stderr: "blastgate: cannot write ../catalog.txt: not a directory\n",
    });
  });

  it("says which Node it needs, in one line and with no stack, when run on an older Node, and exits 2", async () => {
    const node = olderNode();
    const result = await run(node.command, [...node.prefix, cli, "affected", "--agents", "../agents"], { cwd: root }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result).toEqual({
      code: 2,
      stderr: `blastgate: needs Node 24 or newer (this is Node ${node.version}); install Node 24, or run it with \`npx -y node@24 dist/cli.js …\`\n`,
    });
  });
});
