// Content addresses of paid work: a trial's transcript and a judge's answer. Equal keys mean
// the same request would be made again, so what is stored under a key is reused instead
// of paid for twice. What goes in each key is listed here and in docs/evals-cache.md;
// change one, change the other, and bump the format when a key's meaning changes.
import { canonicalJson } from "./canonical-json.ts";
import type { AgentUnderTest, EvalCase } from "./model.ts";

/** A hash of text as lowercase hex (sha256 in the shells: `sha256Hex` in app/evals/hash.ts). */
export type Hash = (text: string) => string;

/**
 * Bumped when what a runner does with the same inputs changes (a new way to build the
 * request, a new tool loop), or when a key's fields change: every key moves, and nothing
 * stored under an old one is served again.
 */
export const TRIAL_KEY_FORMAT = 1;

/** Bumped when the judge's stored answer changes shape or meaning. */
export const JUDGE_KEY_FORMAT = 1;

/**
 * What a trial's transcript depends on, and nothing else:
 *
 * - `agent`: the agent's name (two agents' trials are separate samples, even when their
 *   set-ups are equal).
 * - what the runner is given: `model`, `system`, `skills` (name, version, body with the
 *   overlay applied), `tools` (server, name, description, input schema), `runner`
 *   (type, turn cap or command and timeout), and the resolved `assets` with their
 *   versions and content hashes (what a command runner is handed in its environment).
 * - for the command runner only, `variantKey`: `agent.key`, since the team's own code
 *   runs and only the variant's key speaks for it; a command-runner agent's trials are
 *   therefore paid again whenever that key moves (any edit to the suite, say).
 * - the case's own content: `id` (two cases with the same input are two samples),
 *   `input` and `mocks`. Not its assertions, threshold, tags, trial count, description,
 *   file or line: changing how a transcript is graded must not throw away a paid one.
 * - `trial`: the trial's index (trial 2 is another sample than trial 1).
 *
 * Left out on purpose: the variant's label and registry ref (base and head resolving the
 * same way run the same trial; a new push that leaves an agent's resolution alone costs
 * nothing), the agent's team and tier, and the suite hash (it covers the assertions).
 */
export function trialKeyContent(agent: AgentUnderTest, evalCase: EvalCase, trial: number) {
  return {
    format: TRIAL_KEY_FORMAT,
    kind: "trial",
    agent: agent.agent.name,
    model: agent.model,
    system: agent.system,
    skills: agent.skills.map(({ name, version, body }) => ({ name, version, body })),
    tools: agent.tools.map(({ server, name, description, inputSchema }) => ({ server, name, description, inputSchema })),
    runner: agent.runner,
    assets: agent.variant.assets.map(({ asset, version, contentHash }) => ({ asset, version, contentHash })),
    variantKey: agent.runner.type === "command" ? agent.key : undefined,
    case: { id: evalCase.id, input: evalCase.input, mocks: evalCase.mocks },
    trial,
  };
}

/** The content address of one trial of one case for one agent set-up: `hash` over the canonical JSON of `trialKeyContent`. */
export function trialKey(agent: AgentUnderTest, evalCase: EvalCase, trial: number, hash: Hash): string {
  if (!Number.isInteger(trial) || trial < 0) throw new RangeError(`trialKey: trial must be a whole number from 0, got ${trial}`);
  return hash(canonicalJson(trialKeyContent(agent, evalCase, trial)));
}

/**
 * The content address of a judge's answer: `hash` over the canonical JSON of the whole
 * request the judge sends (model, system prompt, messages with the transcript and the
 * rubric, max_tokens, temperature, tools, every other parameter) and `JUDGE_KEY_FORMAT`.
 * Any change to what the judge is asked asks again; nothing else does.
 */
export function judgeKey(request: unknown, hash: Hash): string {
  return hash(canonicalJson({ format: JUDGE_KEY_FORMAT, kind: "judge", request }));
}
