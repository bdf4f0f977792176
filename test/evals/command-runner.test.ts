import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { agentManifestSchema } from "../../schemas/agent.schema.ts";
import { createCommandRunner } from "../../app/evals/command-runner.ts";
import { assembleInput, sampleAgent, sampleCase } from "../helpers/assembled-agent.ts";

const repoDir = path.join(import.meta.dirname, "..", "fixtures", "command-agent");
const scratch = mkdtempSync(path.join(tmpdir(), "blastgate-command-runner-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const manifest = agentManifestSchema.parse({
  ...assembleInput().agent.manifest,
  evals: { runner: { type: "command", command: [process.execPath, "agent.ts"], timeoutSeconds: 60 } },
});
const agent = sampleAgent({ agent: { ...assembleInput().agent, manifest } });
const env = { PATH: process.env.PATH ?? "" };

/** True while a process runs: a zombie left for a parent that does not reap it counts as ended. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

describe("the command runner", () => {
  it("hands the command the variant through its environment and returns the transcript it writes", async () => {
    const kase = sampleCase({ input: "echo", mocks: { "crm.refund": [{ returns: "ok" }] } });
    const transcript = await createCommandRunner({ repoDir, env }).run(agent, { case: kase, trial: 2 });
    expect(transcript).toMatchObject({ stop: "end", skillsLoaded: ["escalation-rules", "tone-guide"], latencyMs: 20 });
    expect(transcript.toolCalls).toEqual([{ server: "crm", tool: "get_account", input: { id: "A-1" }, output: { id: "A-1" }, isError: false, durationMs: 1, source: "agent" }]);
    const seen = JSON.parse(transcript.output) as Record<string, unknown>;
    expect(seen).toEqual({
      cwd: repoDir,
      model: "claude-sonnet-5-5",
      servers: { crm: "2.1.0", ticketing: "4.2.0" },
      case: { id: "case-1", input: "echo", mocks: { "crm.refund": [{ returns: "ok" }] } },
      trial: "2",
      skills: agent.skills.map((skill) => ({ name: skill.name, version: skill.version, body: skill.body })),
      apiKey: null,
    });
  });

  it("passes the Anthropic key only when its own environment has one", async () => {
    const transcript = await createCommandRunner({ repoDir, env: { ...env, ANTHROPIC_API_KEY: "sk-test" } }).run(agent, { case: sampleCase({ input: "echo" }), trial: 1 });
    expect((JSON.parse(transcript.output) as { apiKey: string }).apiKey).toBe("sk-test");
  });

  it.each([
    ["an invalid transcript", "invalid", /^the transcript it wrote is not valid: line 3: expected `output` to be text; got the number `42`.*; line \d+: expected `stop` to be one of end, max-turns, error, timeout; got `done`$/],
    ["a file that is not JSON", "not-json", /^the transcript it wrote is not valid: it is not JSON \(.+\)$/],
    ["no transcript", "silent", /exited without writing its transcript to the file named in BLASTGATE_TRANSCRIPT$/],
  ])("fails the trial, saying why, for %s", async (_what, input, error) => {
    const transcript = await createCommandRunner({ repoDir, env }).run(agent, { case: sampleCase({ input }), trial: 1 });
    expect(transcript).toMatchObject({ stop: "error", output: "", modelCalls: [] });
    expect(transcript.error).toMatch(error);
  });

  it("keeps the calls of a command that exits with an error, and fails the trial with its stderr", async () => {
    const transcript = await createCommandRunner({ repoDir, env }).run(agent, { case: sampleCase({ input: "crash" }), trial: 1 });
    expect(transcript.stop).toBe("error");
    expect(transcript.error).toMatch(/agent\.ts` exited with code 3: boom: the agent fell over$/);
    expect(transcript.modelCalls).toHaveLength(1);
  });

  it("reports a command that does not start", async () => {
    const missing = sampleAgent({ agent: { ...assembleInput().agent, manifest: { ...manifest, evals: { ...manifest.evals!, runner: { type: "command", command: ["./no-such-entry-point"], timeoutSeconds: 5 } } } } });
    const transcript = await createCommandRunner({ repoDir, env }).run(missing, { case: sampleCase({ input: "echo" }), trial: 1 });
    expect(transcript).toMatchObject({ stop: "error" });
    expect(transcript.error).toMatch(/^could not start `\.\/no-such-entry-point` in the agent repo: .*ENOENT/);
  });

  it("stops a command past its timeout, with everything it started", async () => {
    const pids = path.join(scratch, "pids.json");
    const transcript = await createCommandRunner({ repoDir, env, timeoutMs: 1500 }).run(agent, { case: sampleCase({ input: `hang ${pids}` }), trial: 1 });
    expect(transcript).toMatchObject({ stop: "timeout", error: `\`${process.execPath} agent.ts\` did not finish within 1500 ms; it was stopped` });
    expect(existsSync(pids)).toBe(true);
    const { parent, child } = JSON.parse(readFileSync(pids, "utf8")) as { parent: number; child: number };
    await vi.waitFor(() => expect([alive(parent), alive(child)]).toEqual([false, false]));
  });

  it("stops a command when the signal aborts", async () => {
    const pids = path.join(scratch, "aborted.json");
    const controller = new AbortController();
    const running = createCommandRunner({ repoDir, env }).run(agent, { case: sampleCase({ input: `hang ${pids}` }), trial: 1 }, controller.signal);
    await vi.waitFor(() => expect(existsSync(pids)).toBe(true));
    controller.abort(new Error("cancelled"));
    expect(await running).toMatchObject({ stop: "error", error: "the trial was stopped; the command was stopped" });
  });

  it("refuses an agent that runs with the builtin runner", async () => {
    expect(await createCommandRunner({ repoDir, env }).run(sampleAgent(), { case: sampleCase(), trial: 1 })).toMatchObject({ stop: "error", error: "support-bot runs with the builtin runner (evals.runner.type: builtin), not a command" });
  });
});
