import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../app/cli/main.ts";
import { createTempOrg, modelsYaml, serverYaml, type TempOrg } from "../helpers/git-registry.ts";

let org: TempOrg;

beforeEach(() => {
  org = createTempOrg();
  org.write({ "models.yaml": modelsYaml(), "servers/crm/server.yaml": serverYaml("crm", "1.0.0") });
  org.commit("crm 1.0.0", "servers/crm@1.0.0");
  org.writeAgent("triage", { name: "triage", team: "support", tier: "production", servers: { crm: "^1.0.0" } });
});
afterEach(() => org.remove());

/** A line of a JavaScript stack trace. */
const stackLine = /^\s+at /m;

/** Runs the CLI with an io whose stdout throws `error` (the commands write only at the end). */
async function runWithFailingStdout(error: Error, debug = false): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const io: CliIo = { stdout: () => { throw error; }, stderr: (text) => (stderr += text), cwd: org.registry, today: "2026-11-24", debug };
  const code = await main(["validate", "--agents", "../agents"], io);
  return { code, stderr };
}

describe("blastgate --version", () => {
  it.each([["--version"], ["-V"]])("prints the version in package.json and exits 0 for %s", async (flag) => {
    const { version } = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string };
    expect(await org.run([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });
});

describe("usage errors", () => {
  it("reports a mistyped option as unknown, with a suggestion, not as the required option it resembles", async () => {
    const { code, stdout, stderr } = await org.run(["affected", "--agnets", "../agents"]);
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: "",
      stderr: "blastgate: unknown option '--agnets' (Did you mean --agents?) (run `blastgate --help` for usage)\n",
    });
  });

  it.each([
    [["validate", "--registry", "."], "blastgate: required option '--agents <dir>' not specified (run `blastgate --help` for usage)\n"],
    [["catalog", "--agents", "../agents"], "blastgate: required option '--out <dir>' not specified (run `blastgate --help` for usage)\n"],
    [["validate", "--agents", "../agents", "--frmat", "json"], "blastgate: unknown option '--frmat' (Did you mean --format?) (run `blastgate --help` for usage)\n"],
  ])("still reports a missing required option, in one line, for %j", async (argv, message) => {
    expect(await org.run(argv)).toEqual({ code: 2, stdout: "", stderr: message });
  });
});

describe("file errors", () => {
  it("names the path in one line and exits 2 when catalog --out is a file", async () => {
    writeFileSync(path.join(org.root, "catalog.txt"), "not a folder\n");
    const { code, stderr } = await org.run(["catalog", "--agents", "../agents", "--out", "../catalog.txt"]);
    expect({ code, stderr }).toEqual({ code: 2, stderr: "blastgate: cannot write ../catalog.txt: not a directory\n" });
  });

  it("names the path in one line and exits 2 when catalog --out is under a file", async () => {
    writeFileSync(path.join(org.root, "catalog.txt"), "not a folder\n");
    const { code, stderr } = await org.run(["catalog", "--agents", "../agents", "--out", "../catalog.txt/out"]);
    expect({ code, stderr }).toEqual({ code: 2, stderr: "blastgate: cannot write ../catalog.txt/out: not a directory\n" });
  });

  it("names the file in one line when a server.json cannot be written", async () => {
    // A folder where servers/crm.json should go: catalog.json is written, the server's file is not.
    mkdirSync(path.join(org.root, "out/servers/crm.json"), { recursive: true });
    const { code, stderr } = await org.run(["catalog", "--agents", "../agents", "--out", "../out"]);
    expect({ code, stderr }).toEqual({ code: 2, stderr: "blastgate: cannot write ../out/servers/crm.json: illegal operation on a directory\n" });
    expect(existsSync(path.join(org.root, "out/catalog.json"))).toBe(true);
  });

  it("turns a file-system error that no reader wrapped into one line naming the path", async () => {
    let failure: Error | undefined;
    try {
      readFileSync(path.join(org.registry, "missing.yaml"));
    } catch (error) {
      failure = error as Error;
    }
    const { code, stderr } = await runWithFailingStdout(failure!);
    expect({ code, stderr }).toEqual({ code: 2, stderr: "blastgate: cannot read missing.yaml: no such file or directory\n" });
  });
});

describe("internal errors", () => {
  it("says it is a bug in one line and exits 3, with no stack", async () => {
    const { code, stderr } = await runWithFailingStdout(new TypeError("cannot read properties of undefined\n(reading 'x')"));
    expect(code).toBe(3);
    expect(stderr).toBe("blastgate: internal error (a bug in blastgate; please report it with the command you ran): TypeError: cannot read properties of undefined (reading 'x')\n");
    expect(stderr).not.toMatch(stackLine);
  });

  it("prints the stack after the line when debugging is on (BLASTGATE_DEBUG=1)", async () => {
    const { code, stderr } = await runWithFailingStdout(new Error("boom"), true);
    expect(code).toBe(3);
    expect(stderr.split("\n")[0]).toBe("blastgate: internal error (a bug in blastgate; please report it with the command you ran): Error: boom");
    expect(stderr).toMatch(stackLine);
  });
});

describe("agents reached twice", () => {
  it("reads an agent named by two --agents once", async () => {
    org.writeAgent("billing", { name: "billing", team: "finance", tier: "staging", servers: { crm: "^1.0.0" } });
    const { code, stdout } = await org.run(["validate", "--agents", "../agents", "--agents", "../agents/triage", "--agents", "../agents"]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: "blastgate validate: 1 asset and 2 agents read, 0 files refused; 0 errors, 0 warnings\n" });
  });

  it("reads an agent reached through a symlink once", async () => {
    symlinkSync(path.join(org.agents, "triage"), path.join(org.root, "triage-link"));
    const { code, stdout } = await org.run(["affected", "--agents", "../agents", "--agents", "../triage-link", "--format", "text"]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("blastgate: 0 changes, 0 agents affected, 0 pinned out, 0 errors, 0 warnings (main → the working tree, 1 agent read)");
  });
});

describe("summary lines", () => {
  it("counts in the singular for one asset, one agent, one error", async () => {
    org.writeAgent("triage", { name: "triage", team: "support", tier: "production", servers: { crm: "^2.0.0" } });
    const { code, stdout } = await org.run(["validate", "--agents", "../agents"]);
    expect(code).toBe(1);
    expect(stdout.split("\n").slice(-2)).toEqual(["blastgate validate: 1 asset and 1 agent read, 0 files refused; 1 error, 0 warnings", ""]);
  });
});
