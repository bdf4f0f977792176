import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { affectedReportJsonSchema as affectedReportSchema } from "../../schemas/affected-report.schema.ts";
import { useExampleOrg } from "../helpers/example-org.ts";

const run = promisify(execFile);
const cli = path.join(import.meta.dirname, "..", "..", "dist", "cli.js");
const example = useExampleOrg("example");

/** Runs the built CLI, as `npx blastgate` would, from the registry folder. */
async function blastgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd: example.org.registry, env: { ...process.env, NO_COLOR: "1", BLASTGATE_CACHE_DIR: path.join(example.root, "cache") } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function affected(change: string) {
  const result = await blastgate("affected", "--registry", ".", "--agents", "../agents", "--base", "main", "--head", `change/${change}`, "--format", "json", "--today", "2026-11-24");
  return { ...result, report: affectedReportSchema.parse(JSON.parse(result.stdout)) };
}


describe("the example org, through the built CLI", () => {
  it("moves the escalation-rules consumers on a skill minor bump and keeps the ~1.2.0 agent pinned", async () => {
    const { report } = await affected("skill-minor-bump");
    expect(report.changes.map((c) => [c.asset, c.from, c.to, c.bump])).toEqual([["skill:escalation-rules", "1.2.1", "1.3.0", "minor"]]);
    expect(report.affected.map((a) => [a.agent, a.paths])).toEqual([
      ["ops-incident-bot", [["skill:incident-comms", "skill:escalation-rules"]]],
      ["refund-assistant", [["skill:escalation-rules"]]],
      ["support-triage", [["skill:escalation-rules"]]],
    ]);
    expect(report.unaffected.map((u) => [u.agent, u.range])).toEqual([["vip-concierge", "~1.2.0"]]);
  });

  it("flags the breaking ticketing release under a minor bump and the scope it adds", async () => {
    const { code, report } = await affected("server-breaking-tool-change");
    expect(code).toBe(1);
    const [change] = report.changes;
    expect(change?.flags).toEqual(expect.arrayContaining(["breaking", "breaking-under-minor", "tool-removed", "required-input-added", "scopes-added"]));
    expect(change?.gainedBy).toEqual(["ops-incident-bot", "refund-assistant", "support-triage"]);
    expect(report.problems.filter((p) => p.code === "breaking-under-minor")).toHaveLength(1);
  });

  it("moves every agent on `default` and no other on the default-model switch", async () => {
    const { report } = await affected("default-model-switch");
    expect(report.changes).toMatchObject([{ asset: "model:default", from: "claude-sonnet-4-5", to: "claude-sonnet-5-5" }]);
    expect(report.affected.map((a) => a.agent)).toEqual(["crm-next-pilot", "customer-onboarding", "ops-incident-bot", "refund-assistant", "support-triage"]);
    expect(report.affected.every((a) => a.paths.length === 1 && a.paths[0]![0] === "model:default")).toBe(true);
  });

  it("reports the overlay that a renamed heading breaks", async () => {
    const { report } = await affected("overlay-breaker");
    expect(report.affected.map((a) => a.agent)).toEqual(["crm-next-pilot"]);
    expect(report.problems.filter((p) => p.code === "overlay-stale").map((p) => [p.agent, p.file])).toEqual([
      ["crm-next-pilot", "../agents/crm-next-pilot/overlays/tone-guide.md"],
    ]);
  });

  it("reports the deliberately broken agent on every change without dropping the others", async () => {
    const { report } = await affected("skill-minor-bump");
    expect(report.summary.agents).toBe(9);
    expect(report.problems.filter((p) => p.file.includes("ops-capacity-planner")).map((p) => p.line)).toEqual([4, 6]);
  });

  it("prints the PR comment as markdown, under GitHub's comment limit", async () => {
    const { stdout } = await blastgate("affected", "--agents", "../agents", "--head", "change/skill-minor-bump", "--format", "markdown");
    expect(stdout.startsWith("<!-- blastgate:affected -->\n### blastgate: 3 agents affected by 1 change\n")).toBe(true);
    expect(stdout.length).toBeLessThan(65_536);
  });

  it("validates the example org, finding only the broken agent", async () => {
    const { code, stdout } = await blastgate("validate", "--agents", "../agents", "--today", "2026-11-24");
    expect(code).toBe(1);
    expect(stdout.split("\n").filter((line) => line.includes(": error: "))).toEqual([
      "../agents/ops-capacity-planner/agent.yaml:4: error: expected `tier` to be one of production, staging, experimental; got `prod`",
      "../agents/ops-capacity-planner/agent.yaml:6: error: unknown key `sevrers`; did you mean `servers`?",
    ]);
  });
});
