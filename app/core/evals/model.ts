// The data an eval run works on, shared by the suite parser, the runners, grading and results.
import type { AgentManifest } from "../../../schemas/agent.schema.ts";
import type { Assertion, EvalSuiteFile } from "../../../schemas/eval-suite.schema.ts";
import type { Transcript } from "../../../schemas/transcript.schema.ts";

export type { Assertion, Transcript };

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Turn {
  readonly role: "user" | "assistant";
  readonly content: string;
}

/** One way a mocked tool answers; the first rule whose `when` matches the input answers. */
export interface MockRule {
  readonly when?: Readonly<Record<string, JsonValue>>;
  readonly returns?: JsonValue;
  readonly error?: string;
}

/** An assertion with where it is written; `index` is its place in the case's list (file defaults first). */
export interface LocatedAssertion {
  readonly assertion: Assertion;
  readonly index: number;
  readonly line: number;
}

/** One case with the file's defaults applied. */
export interface EvalCase {
  readonly id: string;
  /** The suite file, relative to the agent repo's root. */
  readonly file: string;
  readonly line: number;
  readonly description?: string;
  readonly input: string | readonly Turn[];
  readonly tags: readonly string[];
  readonly trials: number;
  /** Share of assertion weight a trial needs to pass (0..1). */
  readonly threshold: number;
  /** Mock rules by `server.tool`. */
  readonly mocks: Readonly<Record<string, readonly MockRule[]>>;
  /** The line of each mock's `server.tool` key (in the case, or in its file's defaults), for problems. */
  readonly mockLines?: Readonly<Record<string, number>>;
  readonly assertions: readonly LocatedAssertion[];
}

export type LiveServer = EvalSuiteFile["servers"][string];

/** An agent's whole suite: every file of its `evals.suite` folder, or a skill's evals.json. */
export interface EvalSuite {
  /** The suite folder (or evals.json), relative to the repo's root. */
  readonly path: string;
  readonly cases: readonly EvalCase[];
  /** Live MCP servers by server name (builtin runner). */
  readonly servers: Readonly<Record<string, LiveServer>>;
  readonly judgeModel?: string;
  /** Content address of the suite's files (sha256 over path and text, sorted by path). */
  readonly hash: string;
}

/** A tool the agent may call: one tool of a resolved shared server's contract. */
export interface AgentTool {
  readonly server: string;
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

/** A resolved skill as the agent reads it: SKILL.md's body with the agent's overlay applied. */
export interface AgentSkill {
  readonly name: string;
  readonly version: string;
  readonly body: string;
}

/** Everything one variant of an agent runs with; `key` addresses it. Runners need nothing else. */
export interface AgentUnderTest {
  readonly agent: { readonly name: string; readonly team: string; readonly tier: AgentManifest["tier"] };
  readonly variant: {
    readonly label: string;
    readonly ref: string;
    readonly assets: readonly { readonly asset: string; readonly version: string; readonly contentHash: string }[];
  };
  readonly model: string;
  /** The agent's own system prompt (`evals.runner.system`), if any. */
  readonly system: string | null;
  /** Sorted by name. */
  readonly skills: readonly AgentSkill[];
  /** Sorted by server, then name. */
  readonly tools: readonly AgentTool[];
  readonly runner: NonNullable<AgentManifest["evals"]>["runner"];
  /** Content address of all of the above plus the suite's hash. */
  readonly key: string;
}

/** One trial to run. */
export interface TrialRequest {
  readonly case: EvalCase;
  readonly trial: number;
}

/** Runs one trial and returns its transcript; a failed run is a transcript with `stop: "error"`, never a throw. */
export interface Runner {
  run(agent: AgentUnderTest, request: TrialRequest, signal?: AbortSignal): Promise<Transcript>;
}

/** The rubric judge's verdict on one `rubric` assertion of one trial. */
export interface Judgement {
  readonly pass: boolean;
  /** How well the output meets the rubric, 0..1. */
  readonly score: number;
  /** Why, in the judge's words. */
  readonly reason: string;
}
