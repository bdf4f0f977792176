// The command runner: a team whose agent is its own code runs each trial through its own
// entry point. blastgate hands it the resolved variant through the environment and reads back
// the transcript it writes.
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Tracer } from "@opentelemetry/api";
import { parseYamlFile } from "../core/files/parse-yaml.ts";
import type { AgentUnderTest, Runner, TrialRequest } from "../core/evals/model.ts";
import { transcriptSchema, type Transcript } from "../../schemas/transcript.schema.ts";
import { recordTranscriptSpans } from "./spans.ts";

export interface CommandRunnerOptions {
  /** The agent repo: the command runs there. */
  readonly repoDir: string;
  /** Per-trial limit; the agent's `evals.runner.timeoutSeconds` unless given. */
  readonly timeoutMs?: number;
  /**
   * The environment the command starts from; this process's unless given. The command sees
   * whatever is in it, so it has an `ANTHROPIC_API_KEY` only when this environment does.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Milliseconds since the epoch; `Date.now` unless a test fixes it. */
  readonly clock?: () => number;
  /** Where spans go; the registered tracer provider's unless given. */
  readonly tracer?: Tracer;
}

/** The transcript file a command writes, as problems name it. */
const TRANSCRIPT_NAME = "BLASTGATE_TRANSCRIPT";
/** How much of the command's stderr explains a failure. */
const STDERR_TAIL = 2000;

/**
 * A runner that runs `evals.runner.command` (program and arguments, no shell) in the agent
 * repo for each trial, with this environment on top of the inherited one:
 *
 * - `BLASTGATE_MODEL`: the resolved model id.
 * - `BLASTGATE_SKILLS`: JSON list of `{name, version, path}`; `path` is a SKILL.md body with
 *   the agent's overlay applied, in a temporary folder that lives as long as the trial.
 * - `BLASTGATE_SERVERS`: JSON `{name: version}` of every server in the resolved closure.
 * - `BLASTGATE_CASE`: JSON `{id, input, mocks}` of the case.
 * - `BLASTGATE_TRIAL`: the trial's number, from 1.
 * - `BLASTGATE_TRANSCRIPT`: the file the command writes its transcript (JSON) to.
 *
 * The trial's transcript is that file, checked against the transcript format; a missing or
 * invalid file, a failed start or a non-zero exit is a transcript with `stop: "error"` that
 * says what went wrong. Past the timeout (or when the signal aborts) the command's whole
 * process group is killed and the trial stops with `timeout` (or `error`). Whatever the
 * command left running in its group is killed when it exits.
 */
export function createCommandRunner(options: CommandRunnerOptions): Runner {
  const clock = options.clock ?? Date.now;
  return {
    async run(agent, request, signal) {
      const start = clock();
      let transcript: Transcript;
      try {
        transcript = await runTrial(agent, request, options, clock, signal);
      } catch (error) {
        transcript = failed(`the trial could not be set up: ${messageOf(error)}`, clock() - start);
      }
      try {
        recordTranscriptSpans(agent, request, transcript, start, options.tracer);
      } catch {
        // Tracing never fails a trial.
      }
      return transcript;
    },
  };
}

async function runTrial(agent: AgentUnderTest, request: TrialRequest, options: CommandRunnerOptions, clock: () => number, signal: AbortSignal | undefined): Promise<Transcript> {
  const start = clock();
  if (agent.runner.type !== "command") return failed(`${agent.agent.name} runs with the builtin runner (evals.runner.type: builtin), not a command`, 0);
  const { command, timeoutSeconds } = agent.runner;
  const timeoutMs = options.timeoutMs ?? timeoutSeconds * 1000;
  const dir = await mkdtemp(path.join(tmpdir(), "blastgate-trial-"));
  try {
    const skills = await Promise.all(
      agent.skills.map(async (skill) => {
        const file = path.join(dir, "skills", skill.name, "SKILL.md");
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, skill.body);
        return { name: skill.name, version: skill.version, path: file };
      }),
    );
    const transcriptFile = path.join(dir, "transcript.json");
    const servers = Object.fromEntries(agent.variant.assets.filter((entry) => entry.asset.startsWith("server:")).map((entry) => [entry.asset.slice("server:".length), entry.version]));
    const env: NodeJS.ProcessEnv = {
      ...(options.env ?? process.env),
      BLASTGATE_MODEL: agent.model,
      BLASTGATE_SKILLS: JSON.stringify(skills),
      BLASTGATE_SERVERS: JSON.stringify(servers),
      BLASTGATE_CASE: JSON.stringify({ id: request.case.id, input: request.case.input, mocks: request.case.mocks }),
      BLASTGATE_TRIAL: String(request.trial),
      [TRANSCRIPT_NAME]: transcriptFile,
    };

    const exit = await runCommand(command, options.repoDir, env, timeoutMs, signal);
    const elapsed = clock() - start;
    const shown = command.join(" ");
    if (exit.kind === "spawn-error") return failed(`could not start \`${shown}\` in the agent repo: ${exit.message}`, elapsed);
    if (exit.kind === "timeout") return failed(`\`${shown}\` did not finish within ${formatSeconds(timeoutMs)}; it was stopped`, elapsed, "timeout");
    if (exit.kind === "aborted") {
      const timedOut = signal?.reason instanceof Error && signal.reason.name === "TimeoutError";
      return failed(timedOut ? "the trial ran out of time; the command was stopped" : "the trial was stopped; the command was stopped", elapsed, timedOut ? "timeout" : "error");
    }

    const exitProblem =
      exit.code === 0 ? null : `\`${shown}\` exited with ${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`}${exit.stderr.trim() ? `: ${exit.stderr.trim()}` : ""}`;
    const read = await readTranscript(transcriptFile);
    if (read.kind === "missing") return failed(exitProblem ?? `\`${shown}\` exited without writing its transcript to the file named in ${TRANSCRIPT_NAME}`, elapsed);
    if (read.kind === "invalid") return failed([exitProblem, `the transcript it wrote is not valid: ${read.problem}`].filter(Boolean).join("; "), elapsed);
    // A transcript from a command that then failed keeps its calls (they were made and billed), but the trial failed.
    return exitProblem === null ? read.transcript : { ...read.transcript, stop: "error", error: exitProblem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type CommandExit =
  | { kind: "exit"; code: number | null; signal: NodeJS.Signals | null; stderr: string }
  | { kind: "spawn-error"; message: string }
  | { kind: "timeout" }
  | { kind: "aborted" };

/** Runs the command without a shell as the leader of its own process group, so the group can be killed as one. */
function runCommand(command: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, signal: AbortSignal | undefined): Promise<CommandExit> {
  return new Promise((resolve) => {
    const [program, ...args] = command;
    const child = spawn(program!, args, { cwd, env, shell: false, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let ended: "timeout" | "aborted" | null = null;
    child.stdout.resume();
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL)));
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // The group is gone already.
      }
    };
    const stop = (why: "timeout" | "aborted") => {
      ended ??= why;
      killGroup();
    };
    const timer = setTimeout(() => stop("timeout"), timeoutMs);
    const onAbort = () => stop("aborted");
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const done = (result: CommandExit) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    child.on("error", (error) => done({ kind: "spawn-error", message: error.message }));
    child.on("exit", (code, exitSignal) => {
      // What the command left behind in its group goes with it; then its pipes close and
      // the rest of its stderr is in. Something that left the group and holds them open is
      // not waited for long.
      killGroup();
      const result: CommandExit = ended ? { kind: ended } : { kind: "exit", code, signal: exitSignal, stderr };
      const fallback = setTimeout(() => done(result), 1000);
      child.on("close", () => {
        clearTimeout(fallback);
        done(ended ? result : { ...result, stderr } as CommandExit);
      });
    });
  });
}

async function readTranscript(file: string): Promise<{ kind: "ok"; transcript: Transcript } | { kind: "missing" } | { kind: "invalid"; problem: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    return { kind: "invalid", problem: `it could not be read: ${messageOf(error)}` };
  }
  try {
    JSON.parse(text);
  } catch (error) {
    return { kind: "invalid", problem: `it is not JSON (${messageOf(error)})` };
  }
  // JSON is YAML: the YAML reader maps each schema problem to its line.
  const parsed = parseYamlFile({ repo: "", path: TRANSCRIPT_NAME, text }, transcriptSchema, "a transcript");
  if (parsed.kind === "invalid") return { kind: "invalid", problem: parsed.problems.map((problem) => `line ${problem.line}: ${problem.message}`).join("; ") };
  return { kind: "ok", transcript: parsed.value };
}

function failed(error: string, latencyMs: number, stop: "error" | "timeout" = "error"): Transcript {
  return { schemaVersion: 1, output: "", modelCalls: [], toolCalls: [], skillsLoaded: [], latencyMs: Math.max(0, latencyMs), stop, error };
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
