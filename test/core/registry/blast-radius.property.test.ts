import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeBlastRadius } from "../../../app/core/registry/compute-blast-radius.ts";
import type { AgentFacts } from "../../../app/core/registry/model.ts";
import { createResolver, resolutionsDiffer } from "../../../app/core/registry/resolve-agent.ts";
import { agent, defaultModels, state, type VersionsSpec } from "../../helpers/facts.ts";

const assetIds = ["server:s0", "server:s1", "server:s2", "skill:k0", "skill:k1", "skill:k2", "skill:k3"] as const;
const versionPool = ["1.0.0", "1.1.0", "1.2.3", "2.0.0-beta.1", "2.0.0", "2.1.0", "3.0.0"] as const;
const rangePool = ["^1.0.0", "~1.1.0", "1.2.3", "^2.0.0", "2.0.0-beta.1", ">=1.1.0 <3.0.0", "*", "^3.0.0"] as const;

const rangesArb = fc.dictionary(fc.constantFrom(...assetIds), fc.constantFrom(...rangePool), { maxKeys: 3 });

/** A random registry: each asset gets some versions, each version some requirements (cycles allowed). */
const registryArb: fc.Arbitrary<VersionsSpec> = fc
  .array(fc.tuple(fc.constantFrom(...assetIds), fc.uniqueArray(fc.constantFrom(...versionPool), { minLength: 1, maxLength: 4 })), { maxLength: 7 })
  .chain((entries) =>
    fc.tuple(...entries.map(([id, versions]) => fc.tuple(fc.constant(id), fc.tuple(...versions.map((v) => fc.tuple(fc.constant(v), rangesArb)))))).map((built) => {
      const spec: Record<string, Record<string, { requires: Record<string, string> }>> = {};
      for (const [id, versions] of built) {
        spec[id] ??= {};
        for (const [v, requires] of versions) spec[id][v] = { requires: Object.fromEntries(Object.entries(requires).filter(([target]) => target !== id)) };
      }
      return spec;
    }),
  );

/** A random edit of a registry: publish a version, change one's content, or drop one. */
const editArb = fc.tuple(fc.constantFrom(...assetIds), fc.constantFrom(...versionPool), fc.constantFrom("publish", "edit", "drop"), rangesArb);

type Edit = [id: string, version: string, kind: string, requires: Record<string, string>];

function applyEdit(spec: VersionsSpec, [id, v, kind, requires]: Edit): VersionsSpec {
  const versions = { ...(spec[id] ?? {}) };
  if (kind === "publish") versions[v] = { requires: Object.fromEntries(Object.entries(requires).filter(([target]) => target !== id)) };
  else if (kind === "edit" && versions[v]) versions[v] = { ...versions[v], content: "edited" };
  else delete versions[v];
  return { ...spec, [id]: versions };
}

const agentsArb = fc.array(fc.tuple(rangesArb, fc.constantFrom("default", "fast", "claude-opus-5-5")), { minLength: 1, maxLength: 6 }).map((list) =>
  list.map(([ranges, model], index) => agent(`agent-${index}`, ranges, { model })),
);

const modelsArb = fc.record({
  default: fc.constantFrom("claude-sonnet-4-5", "claude-sonnet-5-5"),
  aliases: fc.record({ fast: fc.constantFrom("claude-haiku-4-5", "claude-haiku-5-5") }),
  deprecated: fc.constant({}),
});

describe("blast radius properties", () => {
  it("affects exactly the agents whose full resolutions differ, though it resolves only the candidates", () => {
    fc.assert(
      fc.property(registryArb, fc.array(editArb, { maxLength: 3 }), agentsArb, modelsArb, (baseSpec, edits, agents, headModels) => {
        const headSpec = edits.reduce(applyEdit, baseSpec);
        const baseState = state(baseSpec);
        const headState = state(headSpec, headModels);
        const expected = agents
          .filter((a) => resolutionsDiffer(createResolver(baseState)(a), createResolver(headState)(a)))
          .map((a) => a.name)
          .sort();
        expect(computeBlastRadius(baseState, headState, agents).affected.map((a) => a.agent)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("never affects an agent that cannot reach a changed asset and keeps its model", () => {
    fc.assert(
      fc.property(registryArb, editArb, agentsArb, (baseSpec, edit, agents) => {
        const headSpec = applyEdit(baseSpec, edit);
        const result = computeBlastRadius(state(baseSpec), state(headSpec), agents);
        const changed = edit[0];
        // An agent whose whole possible closure (every version's requirements) avoids the edited asset.
        const reach = (start: readonly string[]): Set<string> => {
          const seen = new Set<string>();
          const queue = [...start];
          while (queue.length > 0) {
            const id = queue.pop()!;
            if (seen.has(id)) continue;
            seen.add(id);
            for (const spec of [baseSpec, headSpec]) for (const v of Object.values(spec[id] ?? {})) queue.push(...Object.keys(v.requires ?? {}));
          }
          return seen;
        };
        for (const a of agents) {
          if (!reach(a.requirements.map((r) => r.asset)).has(changed)) {
            expect(result.affected.map((x) => x.agent)).not.toContain(a.name);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("does not depend on the order of agents or of published versions", () => {
    fc.assert(
      fc.property(registryArb, editArb, agentsArb, fc.integer(), (baseSpec, edit, agents, seed) => {
        const headSpec = applyEdit(baseSpec, edit);
        const reversedSpec = (spec: VersionsSpec): VersionsSpec =>
          Object.fromEntries(Object.entries(spec).reverse().map(([id, versions]) => [id, Object.fromEntries(Object.entries(versions).reverse())]));
        const shuffled: AgentFacts[] = [...agents].sort((a, b) => ((a.name.length * seed) % 7) - ((b.name.length * seed) % 7) || b.name.localeCompare(a.name));
        const first = computeBlastRadius(state(baseSpec), state(headSpec), agents);
        const second = computeBlastRadius(state(reversedSpec(baseSpec)), state(reversedSpec(headSpec)), shuffled);
        expect(second.affected).toEqual(first.affected);
        expect(second.unaffected).toEqual(first.unaffected);
      }),
      { numRuns: 200 },
    );
  });

  it("affects nobody when head equals base", () => {
    fc.assert(
      fc.property(registryArb, agentsArb, (spec, agents) => {
        const result = computeBlastRadius(state(spec), state(spec, defaultModels), agents);
        expect(result.affected).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("gives every affected agent at least one path, each starting at one of its direct dependencies or its model", () => {
    fc.assert(
      fc.property(registryArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), agentsArb, (baseSpec, edits, agents) => {
        const result = computeBlastRadius(state(baseSpec), state(edits.reduce(applyEdit, baseSpec)), agents);
        for (const affected of result.affected) {
          const facts = agents.find((a) => a.name === affected.agent)!;
          const starts = new Set([...facts.requirements.map((r) => r.asset as string), `model:default`, `model:alias:fast`, `model:claude-opus-5-5`]);
          for (const path of affected.paths) expect(starts.has(path[0]!)).toBe(true);
          if (affected.status.head === "ok" && affected.status.base === "ok") expect(affected.paths.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
