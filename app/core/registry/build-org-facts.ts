import { parseGatePolicy, type GatePolicy } from "../gate/parse-gate-policy.ts";
import type { Problem } from "../problems.ts";
import { buildRegistryHistory, type FileRead, type ParseMemo, type RegistryRead } from "./build-registry-history.ts";
import { GATE_POLICY_FILE } from "./layout.ts";
import type { AgentFacts } from "./model.ts";
import type { RegistryHistory } from "./registry-state.ts";

/** An org as its readers found it: the registry's files, its gate policy file (from base), and the agents read. */
export interface OrgRead {
  readonly registry: RegistryRead;
  readonly policy: FileRead;
  readonly agents: { readonly agents: readonly AgentFacts[]; readonly problems: readonly Problem[]; readonly refused: number };
}

/** An org as facts: the registry history, the agents, the gate policy, every problem met and how many files were refused. */
export interface OrgFacts {
  readonly history: RegistryHistory;
  readonly agents: readonly AgentFacts[];
  readonly policy: GatePolicy;
  readonly problems: readonly Problem[];
  readonly refused: number;
}

/**
 * Turns what the readers found into facts, the same for every shell (the CLI's git and
 * disk readers, the app's API reader): the registry history, the gate policy read from
 * base (an invalid one is a problem, never a silent fallback), the agents, and the counts.
 * A folder that is not a registry is the whole answer.
 */
export function buildOrgFacts(read: OrgRead, memo?: ParseMemo): { kind: "ok"; facts: OrgFacts } | { kind: "not-a-registry"; problem: Problem } {
  const built = buildRegistryHistory(read.registry, memo);
  if (built.kind === "not-a-registry") return built;
  const base = read.registry.base;
  const policy = parseGatePolicy(read.policy, { repo: read.registry.repo, path: GATE_POLICY_FILE, ...(base.ref === undefined ? {} : { ref: base.ref }) });
  return {
    kind: "ok",
    facts: {
      history: built.history,
      agents: read.agents.agents,
      policy,
      problems: [...built.problems, ...read.agents.problems, ...(policy.kind === "invalid" ? policy.problems : [])],
      refused: built.refused + read.agents.refused,
    },
  };
}
