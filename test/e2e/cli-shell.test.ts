import { execFile } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
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
});
