import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalResultsSchema } from "../../schemas/eval-results.schema.ts";
import { main, type CliIo } from "../../app/cli/main.ts";
import { useExampleOrg } from "../helpers/example-org.ts";
import { startFakeAnthropic, type FakeAnthropic, type Responder } from "../helpers/fake-anthropic.ts";

// A model that triages like the example's support agent: it assigns the ticket to billing, then answers.
const triage: Responder = (request, ctx) =>
  ctx.turn === 0 && request.tools?.some((tool) => "name" in tool && tool.name === "ticketing__assign_ticket")
    ? { content: [{ type: "tool_use", name: "ticketing__assign_ticket", input: { ticket_id: 48401, group: "billing" } }] }
    : { text: "Assigned to the billing team; they will look at the charge." };

describe("blastgate eval on the example org, against a fake Messages API", () => {
  const example = useExampleOrg("eval");
  let api: FakeAnthropic;
  let work: string;
  beforeAll(async () => {
    api = await startFakeAnthropic({ responder: triage, rateLimits: { requestsPerMinute: 1200, burst: { requests: 10 } }, retryAfterMs: true });
    work = await mkdtemp(path.join(tmpdir(), "blastgate-eval-"));
  });
  afterAll(() => api.close());

  const run = async (args: string[]) => {
    let stdout = "";
    let stderr = "";
    const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: work, today: "2026-11-24", cache: null, anthropic: { apiKey: api.apiKey, baseURL: api.url } };
    const code = await main(["eval", "--agent", path.join(example.org.agents, "support-triage"), "--registry", example.org.registry, ...args], io);
    return { code, stdout, stderr };
  };

  it("runs the suite, records it, and a replay offline gives the same grades", { timeout: 60_000 }, async () => {
    const recorded = await run(["--record", "cassette", "--trials", "1", "--out", "live.json", "--format", "json"]);
    expect(recorded.stderr).not.toMatch(/internal error/);
    const live = evalResultsSchema.parse(JSON.parse(await readFile(path.join(work, "live.json"), "utf8")));
    expect(live.summary.cases).toBe(14);
    expect(live.summary.trials).toBe(14);
    expect(live.summary.errored).toBe(0);
    expect(live.usage.requests).toBeGreaterThan(14);
    // Every case-trial was answered under the fake's rate limit: the client paces by its headers.
    expect(api.requests.filter((request) => request.path === "/v1/messages" && request.status === 200).length).toBe(live.usage.requests);
    expect(live.cases.every((entry) => entry.trials.length === 1)).toBe(true);

    const before = api.requests.length;
    const replayed = await run(["--replay", "cassette", "--trials", "1", "--out", "replay.json", "--format", "json"]);
    expect(api.requests.length).toBe(before);
    const again = evalResultsSchema.parse(JSON.parse(await readFile(path.join(work, "replay.json"), "utf8")));
    expect(again.cases.map((entry) => [entry.id, entry.trials.map((trial) => [trial.status, trial.score])])).toEqual(live.cases.map((entry) => [entry.id, entry.trials.map((trial) => [trial.status, trial.score])]));
    expect(again.verdict.result).toBe(live.verdict.result);
    expect(again.cases.every((entry) => entry.trials.every((trial) => trial.cached))).toBe(true);
    expect(replayed.code).toBe(live.verdict.result === "pass" ? 0 : 1);
  });

  it("prints the job summary as markdown", { timeout: 60_000 }, async () => {
    const { stdout, stderr } = await run(["--replay", "cassette", "--trials", "1", "--format", "markdown"]);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/support-triage/);
    expect(stdout).toMatch(/\|/);
  });

  it("stops starting trials at the budget and says the result is partial", { timeout: 60_000 }, async () => {
    // Room for one trial's estimate and a little: each trial reserves its estimate before it starts.
    const estimate = evalResultsSchema.parse(JSON.parse(await readFile(path.join(work, "live.json"), "utf8"))).estimatedCostUsd!;
    const { code } = await run(["--no-cache", "--trials", "1", "--budget-usd", ((estimate / 14) * 1.2).toFixed(6), "--out", "budget.json", "--format", "json"]);
    const results = evalResultsSchema.parse(JSON.parse(await readFile(path.join(work, "budget.json"), "utf8")));
    expect(code).toBe(1);
    expect(results.complete).toBe(false);
    expect(results.stoppedBy).toBe("budget");
    expect(results.summary.trials).toBeGreaterThan(0);
    expect(results.summary.trials).toBeLessThan(14);
    expect(results.verdict.result).toBe("fail");
    expect(results.verdict.reasons.join(" ")).toMatch(/partial: stopped by budget after \d+ of 14 trials/);
  });

  it("runs a registry skill's own Agent Skills suite (evals/evals.json), graded by the rubric judge", { timeout: 60_000 }, async () => {
    let stdout = "";
    let stderr = "";
    const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: work, today: "2026-11-24", cache: null, anthropic: { apiKey: api.apiKey, baseURL: api.url } };
    const code = await main(["eval", "--skill", "refund-policy", "--registry", example.org.registry, "--out", "skill.json", "--format", "json"], io);
    expect(stderr).not.toMatch(/internal error/);
    const results = evalResultsSchema.parse(JSON.parse(await readFile(path.join(work, "skill.json"), "utf8")));
    expect(results.agent.name).toBe("skill:refund-policy");
    expect(results.summary.cases).toBe(4);
    expect(results.cases.every((entry) => entry.tags.includes("skill-eval"))).toBe(true);
    // The fake answers the judge with text that is not a verdict: every rubric fails, and says it was not judged.
    expect(results.cases[0]!.trials[0]!.assertions[0]).toMatchObject({ type: "rubric", passed: false });
    expect(code).toBe(1);
  });

  it("needs exactly one of --agent and --skill", async () => {
    const { code, stderr } = await run(["--skill", "refund-policy"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--agent|--skill/);
  });
});
