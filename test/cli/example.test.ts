import { describe, expect, it } from "vitest";
import { useExampleOrg } from "../helpers/example-org.ts";
import { runExampleOn } from "../../scripts/run-example.ts";

const exampleOrg = useExampleOrg("example-script");


/** Runs `npm run example -- <args>` in process, on the org built once into a temporary folder. */
async function example(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runExampleOn(exampleOrg.org, args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), today: "2026-11-24" });
  return { code, stdout, stderr };
}

describe("npm run example", () => {
  it("prints the command it runs, with the markdown format when none is given, quoted as a shell takes it", async () => {
    const { stderr } = await example("skill-minor-bump", "--base", "main's tip");
    expect(stderr.split("\n")[0]).toMatch(
      / && npx blastgate affected --registry \. --agents \.\.\/agents --base main --head change\/skill-minor-bump --format markdown --base 'main'\\''s tip'$/,
    );
  });

  it("passes a mistyped option to blastgate, which reports it in one line and exits 2", async () => {
    const { code, stdout, stderr } = await example("--frmat", "text");
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr.split("\n").filter((line) => line.startsWith("blastgate: "))).toEqual([
      "blastgate: unknown option '--frmat' (Did you mean --format?) (run `blastgate --help` for usage)",
    ]);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("passes options after the change's name on, a --format given replacing the default", async () => {
    const { code, stdout, stderr } = await example("default-model-switch", "--format", "text", "--today", "2026-11-24");
    expect(code).toBe(0);
    expect(stderr.split("\n")[0]).toMatch(/ && npx blastgate affected --registry \. --agents \.\.\/agents --base main --head change\/default-model-switch --format text --today 2026-11-24$/);
    expect(stdout.split("\n")[0]).toBe("blastgate: 1 change, 5 agents affected, 0 pinned out, 2 errors, 0 warnings (main → change/default-model-switch, 9 agents read, 1 file refused)");
  });

  it("names the changes it has when asked for one it has not, and exits 2", async () => {
    const { code, stderr } = await example("no-such-change");
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: "No example change `no-such-change`; pick one of: default-model-switch, overlay-breaker, server-breaking-tool-change, skill-minor-bump\n",
    });
  });

  it("replays the bundled eval cassette offline and prints the job summary (a stale cassette fails here: re-record it)", async () => {
    const { code, stdout, stderr } = await example("eval");
    expect(stderr).toMatch(/^\$ cd \S+ && npx blastgate eval --agent \.\.\/agents\/support-triage --registry \. --replay \S+ --format markdown\n/);
    expect(stderr).not.toMatch(/no recorded/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^### blastgate eval: support-triage /);
    expect(stdout).toMatch(/\| `billing-double-charge` \| `billing` \| \d+\/5 \|/);
  });
});
