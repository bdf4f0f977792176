// One agent's suite, run against what its manifest resolves to in the registry: the work
// behind `blastgate eval` and the blastgate action. Read → resolve (core) → assemble (core)
// → run trials → grade and build results (core).
import Anthropic from "@anthropic-ai/sdk";
import type { EvalResults } from "../../schemas/eval-results.schema.ts";
import { assembleAgent } from "../core/evals/assemble-agent.ts";
import { buildEvalResults, thresholdsFor } from "../core/evals/build-results.ts";
import { buildPrefix } from "../core/evals/build-request.ts";
import { checkEvalStandard } from "../core/evals/check-eval-standard.ts";
import { estimateCost, expectedTurns } from "../core/evals/estimate-cost.ts";
import { checkSuiteTools } from "../core/evals/parse-suite.ts";
import { priceOf } from "../core/evals/prices.ts";
import { policyValue } from "../core/gate/parse-gate-policy.ts";
import { sortProblems, type Problem } from "../core/problems.ts";
import { describeClosure } from "../core/registry/build-affected-report.ts";
import { AGENT_MANIFEST } from "../core/registry/build-agent.ts";
import { checkAgent } from "../core/registry/check-agent.ts";
import { buildRegistryState } from "../core/registry/registry-state.ts";
import { createResolver } from "../core/registry/resolve-agent.ts";
import { loadAt } from "../cli/load-org.ts";
import { readAgentUnderTest } from "../load/read-agent-under-test.ts";
import { readObjects } from "../load/git.ts";
import { buildOrgFacts } from "../core/registry/build-org-facts.ts";
import { parseSkillEvals } from "../core/evals/parse-skill-evals.ts";
import { canonicalJson } from "../core/evals/canonical-json.ts";
import { splitFrontmatter } from "../core/files/markdown-sections.ts";
import type { AgentUnderTest } from "../core/evals/model.ts";
import { readRegistryAt, WORKTREE } from "../load/read-registry.ts";
import { readSuite } from "../load/read-suite.ts";
import { createBatchClient } from "./batch-client.ts";
import { createBuiltinRunner } from "./builtin-runner.ts";
import { createCommandRunner } from "./command-runner.ts";
import { countRunTokens } from "./estimate-tokens.ts";
import { sha256Hex } from "./hash.ts";
import { createLiveTools } from "./live-tools.ts";
import type { MessagesClient } from "./messages-client.ts";
import { openResultStore, type StoreMode } from "./result-store.ts";
import { runTrials } from "./run-trials.ts";
import { createThrottledClient } from "./throttled-client.ts";

export interface EvaluateRequest {
  /** The agent repo, absolute. */
  readonly agentDir: string;
  /** The registry clone, absolute. */
  readonly registryDir: string;
  /** The registry ref to resolve at; `WORKTREE` for its working tree. */
  readonly ref: string;
  readonly trials?: number;
  readonly budgetUsd?: number;
  readonly store: StoreMode;
  readonly batch?: boolean;
  readonly api: { readonly apiKey?: string | undefined; readonly baseURL?: string | undefined };
  readonly today: string;
  /** Seed of the trial order; recorded in the results. */
  readonly seed?: number;
  readonly onWarning?: (message: string) => void;
}

export interface EvaluateOutcome {
  /** Null when nothing could be run: the problems say why. */
  readonly results: EvalResults | null;
  readonly problems: readonly Problem[];
}

/** A Messages client for a run that must not call the API (a replay): any call is a bug in the replay's bookkeeping, said plainly. */
const offline: MessagesClient = {
  create: () => Promise.reject(new Error("offline: a replayed run makes no API calls (this trial is not in the cassette)")),
  countTokens: () => Promise.reject(new Error("offline")),
};

export async function evaluateAgent(request: EvaluateRequest): Promise<EvaluateOutcome> {
  // 1. The registry at the ref and the agent, as facts.
  const loaded = await loadAt({ registry: request.registryDir, agents: [request.agentDir] }, request.ref);
  const agent = loaded.agents[0];
  const early = (problems: readonly Problem[]): EvaluateOutcome => ({ results: null, problems: sortProblems([...loaded.problems, ...problems]) });
  if (!agent) return early([]);
  const policy = policyValue(loaded.policy);
  if (policy === null) return early([]);

  // 2. Its resolution (core), checked as an agent-repo PR would be.
  const state = buildRegistryState(loaded.tags, loaded.tree, loaded.leftOut);
  const resolution = createResolver(state)(agent);
  const agentProblems = checkAgent(agent, resolution, state, request.today);
  const closure = describeClosure(resolution);
  if (closure.status !== "ok" || closure.model.id === null || agentProblems.some((problem) => problem.level === "error")) return early(agentProblems);

  // 3. What the variant runs with, and the suite.
  const [parts, parsed] = await Promise.all([
    readAgentUnderTest(request.registryDir, request.agentDir, agent, closure, state.assets),
    readSuite(request.agentDir, { repo: request.agentDir, manifest: agent.manifest, agent: agent.name }),
  ]);
  if (parts.kind === "invalid" || parsed.suite === null) return early([...agentProblems, ...(parts.kind === "invalid" ? parts.problems : []), ...parsed.problems]);
  const suite = parsed.suite;
  const variant = { label: request.ref === WORKTREE ? "worktree" : request.ref, ref: request.ref };
  const underTest = assembleAgent({ ...parts.parts, variant, suiteHash: suite.hash, hash: sha256Hex });
  const manifest = { repo: request.agentDir, path: AGENT_MANIFEST };
  const { thresholds, problems: thresholdProblems } = thresholdsFor(agent.manifest, policy.tiers, { source: manifest, passRateLine: 1 });
  const problems: Problem[] = [
    ...loaded.problems.filter((problem) => problem.agent === agent.name || problem.repo === request.agentDir),
    ...agentProblems,
    ...parsed.problems,
    ...checkSuiteTools(suite, underTest.tools, { repo: request.agentDir, agent: agent.name }),
    ...checkEvalStandard(suite, agent.tier, policy.evalStandard, { ...manifest, line: 1, agent: agent.name }),
    ...thresholdProblems,
  ];

  // 4. The API (or none, for a replay), the runner, and an estimate before spending.
  let client: MessagesClient | null = null;
  if (request.store.kind !== "replay") {
    if (!request.api.apiKey) {
      return early([...problems, { level: "error", code: "no-api-key", repo: request.agentDir, path: AGENT_MANIFEST, line: 1, agent: agent.name, message: "needs an Anthropic API key to run its suite: set ANTHROPIC_API_KEY (or the action's `anthropic-api-key` input), or replay a recorded run with `--replay DIR`" }]);
    }
    const sdk = new Anthropic({ apiKey: request.api.apiKey, ...(request.api.baseURL ? { baseURL: request.api.baseURL } : {}) });
    client = request.batch ? createBatchClient(sdk) : createThrottledClient(sdk);
  }
  const store = await openResultStore(request.store, { onWarning: (warning) => request.onWarning?.(`${warning.file}: ${warning.message}`) });
  const live = createLiveTools({ servers: suite.servers, cwd: request.agentDir });
  const runner =
    underTest.runner.type === "command" ? createCommandRunner({ repoDir: request.agentDir }) : createBuiltinRunner({ client: client ?? offline, live });
  const prefix = buildPrefix(underTest);
  const counted = await countRunTokens(client, { model: underTest.model, prefix, cases: suite.cases });
  const maxTurns = underTest.runner.type === "builtin" ? underTest.runner.maxTurns : 10;
  const estimate = estimateCost(
    [
      {
        label: variant.label,
        model: underTest.model,
        prefixTokens: counted.prefix,
        maxTurns,
        cases: suite.cases.map((evalCase) => ({
          id: evalCase.id,
          inputTokens: counted.cases.get(evalCase.id) ?? { tokens: 0, local: true },
          trials: request.trials ?? evalCase.trials,
          cachedTrials: 0,
          mockedTools: Math.min(Object.keys(evalCase.mocks).length, expectedTurns(Object.keys(evalCase.mocks).length, maxTurns) - 1),
        })),
      },
    ],
    (model) => {
      const { price } = priceOf(model);
      return { inputPerMTok: price.input, outputPerMTok: price.output };
    },
    request.batch ? { batch: true } : {},
  );

  // 5. Run, grade, build the results (core).
  const seed = request.seed ?? 1;
  try {
    const [run] = await runTrials([{ agent: underTest, suite, runner }], {
      client,
      store,
      seed,
      ...(request.trials === undefined ? {} : { trials: request.trials }),
      ...(request.budgetUsd === undefined ? {} : { budgetUsd: request.budgetUsd }),
      estimate,
    });
    const results = buildEvalResults({
      agent: underTest,
      suite,
      trials: run!.trials,
      transcripts: run!.transcripts,
      judgeCalls: run!.judgeCalls,
      problems: sortProblems(problems),
      complete: run!.complete,
      ...(run!.stoppedBy ? { stoppedBy: run!.stoppedBy } : {}),
      estimatedCostUsd: estimate.estimatedUsd,
      planned: run!.planned,
      thresholds,
      manifest,
    });
    return { results: { ...results, seed }, problems: results.problems };
  } finally {
    await live.close();
  }
}

export interface EvaluateSkillRequest extends Omit<EvaluateRequest, "agentDir"> {
  /** The registry skill whose own Agent Skills suite (`evals/evals.json`) runs. */
  readonly skill: string;
}

/**
 * A registry skill's own suite, as skill authors write it (Agent Skills `evals/evals.json`,
 * graded by the rubric judge): the skill alone in the system prompt, no tools, the registry's
 * default model, one turn. Its bar is the gate policy's `staging` tier, since a skill has no tier of its own.
 */
export async function evaluateSkill(request: EvaluateSkillRequest): Promise<EvaluateOutcome> {
  const registry = await readRegistryAt(request.registryDir, request.ref);
  const { tree, ...rest } = registry.read;
  const built = buildOrgFacts({ registry: { ...rest, base: tree, head: tree }, policy: registry.policy, agents: { agents: [], problems: [], refused: 0 } });
  if (built.kind === "not-a-registry") return { results: null, problems: [built.problem] };
  const { history, policy: gatePolicy, problems: loadProblems } = built.facts;
  const policy = policyValue(gatePolicy);
  const state = buildRegistryState(history.tags, history.head, history.leftOut);
  const version = state.tree.get(`skill:${request.skill}`);
  const model = state.models?.default ?? null;
  const folder = `skills/${request.skill}`;
  const at = { repo: request.registryDir, path: folder };
  const fail = (message: string): EvaluateOutcome => ({ results: null, problems: sortProblems([...loadProblems, { level: "error", code: "skill-evals", ...at, line: 1, message }]) });
  if (!version) return fail(`has no skill \`${request.skill}\` at ${request.ref === WORKTREE ? "the working tree" : request.ref}`);
  if (policy === null) return { results: null, problems: sortProblems([...loadProblems]) };
  if (model === null) return fail("needs the registry's default model (models.yaml `default`) to run a skill's own suite");
  const [skillFile, evalsFile] = await readObjects(request.registryDir, [`${version.contentHash}:SKILL.md`, `${version.contentHash}:evals/evals.json`]);
  if (!evalsFile) return fail(`has no \`evals/evals.json\`: add one (the Agent Skills format: skill_name, evals[] with id, prompt, expected_output) to give the skill its own suite`);
  const parsed = parseSkillEvals({ path: `${folder}/evals/evals.json`, text: evalsFile.content.toString("utf8") }, { repo: request.registryDir, skill: request.skill, defaultTrials: 1, hash: sha256Hex });
  if (parsed.suite === null) return { results: null, problems: sortProblems([...loadProblems, ...parsed.problems]) };
  const suite = parsed.suite;
  const body = splitFrontmatter(skillFile?.content.toString("utf8") ?? "").body;
  const owner = version.skill?.frontmatter.metadata?.owner;
  const parts = {
    agent: { name: `skill:${request.skill}`, team: typeof owner === "string" ? owner : "registry", tier: "staging" as const },
    variant: { label: request.ref === WORKTREE ? "worktree" : request.ref, ref: request.ref, assets: [{ asset: `skill:${request.skill}`, version: version.version, contentHash: version.contentHash }] },
    model,
    system: null,
    skills: [{ name: request.skill, version: version.version, body }],
    tools: [],
    runner: { type: "builtin" as const, maxTurns: 1 },
  };
  const underTest: AgentUnderTest = { ...parts, key: sha256Hex(canonicalJson({ ...parts, suite: suite.hash })) };
  let client: MessagesClient | null = null;
  if (request.store.kind !== "replay") {
    if (!request.api.apiKey) return fail("needs an Anthropic API key to run the skill's suite: set ANTHROPIC_API_KEY, or replay a recorded run with `--replay DIR`");
    client = createThrottledClient(new Anthropic({ apiKey: request.api.apiKey, ...(request.api.baseURL ? { baseURL: request.api.baseURL } : {}) }));
  }
  const store = await openResultStore(request.store, { onWarning: (warning) => request.onWarning?.(`${warning.file}: ${warning.message}`) });
  const seed = request.seed ?? 1;
  const [run] = await runTrials([{ agent: underTest, suite, runner: createBuiltinRunner({ client: client ?? offline }) }], {
    client,
    store,
    seed,
    ...(request.trials === undefined ? {} : { trials: request.trials }),
    ...(request.budgetUsd === undefined ? {} : { budgetUsd: request.budgetUsd }),
  });
  const results = buildEvalResults({
    agent: underTest,
    suite,
    trials: run!.trials,
    transcripts: run!.transcripts,
    judgeCalls: run!.judgeCalls,
    problems: sortProblems([...loadProblems.filter((problem) => problem.path.startsWith(`${folder}/`)), ...parsed.problems]),
    complete: run!.complete,
    ...(run!.stoppedBy ? { stoppedBy: run!.stoppedBy } : {}),
    planned: run!.planned,
    thresholds: { minPassRate: policy.tiers.staging.minPassRate, source: ".github/blastgate.yml: tiers.staging.minPassRate (a skill's own suite)" },
    manifest: { ...at, path: `${folder}/SKILL.md` },
  });
  return { results: { ...results, seed }, problems: results.problems };
}
