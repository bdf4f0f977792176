import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalResultsSchema } from "../../schemas/eval-results.schema.ts";
import { useExampleOrg } from "../helpers/example-org.ts";
import { readZip, startFakeActionsResults, type FakeActionsResults } from "../helpers/fake-actions-results.ts";
import { startFakeAnthropic, type FakeAnthropic, type Responder } from "../helpers/fake-anthropic.ts";

const run = promisify(execFile);
const root = path.join(import.meta.dirname, "..", "..");
const action = path.join(root, "dist", "actions", "eval.js");

const triage: Responder = (request, ctx) =>
  ctx.turn === 0 && request.tools?.some((tool) => "name" in tool && tool.name === "ticketing__assign_ticket")
    ? { content: [{ type: "tool_use", name: "ticketing__assign_ticket", input: { ticket_id: 48401, group: "billing" } }] }
    : { text: "Assigned to the billing team." };

/** Runs the built action as the runner does: `node dist/actions/eval.js` with INPUT_* and the runner's files in its environment. */
async function runAction(inputs: Record<string, string>, env: Record<string, string>, temp: string) {
  const output = path.join(temp, `output-${Math.random().toString(36).slice(2)}`);
  const summary = path.join(temp, `summary-${Math.random().toString(36).slice(2)}`);
  await writeFile(output, "");
  await writeFile(summary, "");
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, "_").toUpperCase()}`, value]));
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("INPUT_") && !name.startsWith("ACTIONS_") && !name.startsWith("GITHUB_") && name !== "ANTHROPIC_API_KEY"));
  const child = await run(process.execPath, [action], {
    env: { ...base, ...inputEnv, ...env, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: temp },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout: string; stderr: string; code: number }) => error);
  const outputs = Object.fromEntries([...(await readFile(output, "utf8")).matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((match) => [match[1]!, match[3]!]));
  return { stdout: child.stdout, code: "code" in child ? child.code : 0, outputs, summary: await readFile(summary, "utf8") };
}

describe("the blastgate action (dist/actions/eval.js) as a child process", () => {
  const example = useExampleOrg("action");
  let api: FakeAnthropic;
  let artifacts: FakeActionsResults;
  let temp: string;
  beforeAll(async () => {
    api = await startFakeAnthropic({ responder: triage });
    artifacts = await startFakeActionsResults();
    temp = await mkdtemp(path.join(tmpdir(), "blastgate-action-"));
  });
  afterAll(async () => {
    await api.close();
    await artifacts.close();
  });

  it("runs an agent's suite, writes the summary and outputs, masks the key, uploads the results, and fails on a failing verdict", { timeout: 60_000 }, async () => {
    const key = "sk-ant-test-secret-key";
    const { stdout, code, outputs, summary } = await runAction(
      { registry: "registry", agent: "agents/support-triage", "anthropic-api-key": key, trials: "1" },
      { ...artifacts.env, GITHUB_WORKSPACE: path.dirname(example.org.registry), ANTHROPIC_BASE_URL: api.url },
      temp,
    );
    expect(stdout).toContain(`::add-mask::${key}`);
    expect(stdout.replace(`::add-mask::${key}`, "")).not.toContain(key);
    expect(outputs.verdict).toBe("fail");
    expect(code).toBe(1);
    expect(stdout).toMatch(/::error::blastgate eval: fail: pass rate/);
    expect(summary).toMatch(/^### blastgate eval: support-triage failed/);
    const results = evalResultsSchema.parse(JSON.parse(await readFile(outputs["results-path"]!, "utf8")));
    expect(results.summary.trials).toBe(14);
    const uploaded = artifacts.artifacts.get("blastgate-results");
    expect(uploaded?.finalized).toBe(true);
    expect(JSON.parse(readZip(uploaded!.bytes).get("eval-results.json")!.toString("utf8")).verdict.result).toBe("fail");
  });

  it("annotates a suite's problems at file and line, and fails without running", { timeout: 60_000 }, async () => {
    const { stdout, code } = await runAction(
      { registry: "registry", agent: "agents/ops-capacity-planner", "anthropic-api-key": "k" },
      { GITHUB_WORKSPACE: path.dirname(example.org.registry), ANTHROPIC_BASE_URL: api.url },
      temp,
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/::error title=blastgate%3A schema,file=agents\/ops-capacity-planner\/agent\.yaml,line=4::expected `tier` to be one of production, staging, experimental/);
    expect(stdout).toMatch(/::error::blastgate could not run the suite/);
  });

  it("refuses a bad input with a message naming it", async () => {
    const { stdout, code } = await runAction({ registry: "registry", trials: "three" }, { GITHUB_WORKSPACE: path.dirname(example.org.registry) }, temp);
    expect(code).toBe(1);
    expect(stdout).toContain("::error::input `trials` takes a whole number of 1 or more; got `three`");
  });
});
