import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeClosure } from "../../../app/core/registry/build-affected-report.ts";
import { computeBlastRadius, type BlastRadius } from "../../../app/core/registry/compute-blast-radius.ts";
import type { AgentFacts, RegistryState } from "../../../app/core/registry/model.ts";
import { createResolver, ResolverCache, type Resolution } from "../../../app/core/registry/resolve-agent.ts";
import { agent, state, type VersionSpec, type VersionsSpec } from "../../helpers/facts.ts";
import { computeReferenceBlastRadius, createReferenceResolver } from "../../helpers/reference-blast-radius.ts";

// The fast core (integer ids, version bitmasks, one search per direct dependency) must give
// exactly what the simple reference gives, in every field and every order.

const assetIds = ["server:s0", "server:s1", "server:s2", "skill:k0", "skill:k1", "skill:k2", "skill:k3"] as const;
const versionPool = ["0.9.0", "1.0.0", "1.0.1-rc.1", "1.0.1", "1.1.0", "1.2.3", "2.0.0-alpha.1", "2.0.0-beta.1", "2.0.0", "2.1.0", "2.1.0-rc.2", "3.0.0"] as const;
const rangePool = ["^1.0.0", "~1.1.0", "1.2.3", "^2.0.0", "2.0.0-beta.1", ">=2.0.0-alpha.1", "^1.0.1-rc.1", ">=1.1.0 <3.0.0", "*", "^3.0.0", "1.x || 2.1.x", "<1.0.1"] as const;

const rangesArb = fc.dictionary(fc.constantFrom(...assetIds), fc.constantFrom(...rangePool), { maxKeys: 4 });

/** Many versions of one asset, so its masks take more than one 32-bit word. */
const manyVersions = Array.from({ length: 70 }, (_, index) => `${1 + Math.floor(index / 20)}.${index % 20}.0`);

/** A random registry: requirements may form cycles (but not on the asset itself); sometimes one asset has 70 versions. */
const registryArb: fc.Arbitrary<VersionsSpec> = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...assetIds), fc.uniqueArray(fc.constantFrom(...versionPool), { minLength: 1, maxLength: 6 })), { maxLength: 7 }),
    fc.option(fc.constantFrom(...assetIds), { nil: undefined }),
  )
  .chain(([entries, wide]) => {
    const all = [...entries, ...(wide ? [[wide, manyVersions] as const] : [])];
    return fc.tuple(...all.map(([id, versions]) => fc.tuple(fc.constant(id), fc.tuple(...versions.map((v) => fc.tuple(fc.constant(v), rangesArb, fc.boolean())))))).map((built) => {
      const spec: Record<string, Record<string, VersionSpec>> = {};
      for (const [id, versions] of built) {
        spec[id] ??= {};
        for (const [v, requires, edited] of versions) {
          spec[id][v] = { requires: Object.fromEntries(Object.entries(requires).filter(([target]) => target !== id)), ...(edited ? { content: "x" } : {}) };
        }
      }
      return spec;
    });
  });

type Edit = [id: string, version: string, kind: "publish" | "edit" | "drop", requires: Record<string, string>];
const editArb: fc.Arbitrary<Edit> = fc.tuple(fc.constantFrom(...assetIds), fc.constantFrom(...versionPool, ...manyVersions.slice(0, 3)), fc.constantFrom("publish", "edit", "drop"), rangesArb);

function applyEdit(spec: VersionsSpec, [id, v, kind, requires]: Edit): VersionsSpec {
  const versions = { ...(spec[id] ?? {}) };
  if (kind === "publish") versions[v] = { requires: Object.fromEntries(Object.entries(requires).filter(([target]) => target !== id)) };
  else if (kind === "edit" && versions[v]) versions[v] = { ...versions[v], content: "edited" };
  else delete versions[v];
  return { ...spec, [id]: versions };
}

const agentsArb = fc
  .array(fc.tuple(fc.dictionary(fc.constantFrom(...assetIds, "skill:missing"), fc.constantFrom(...rangePool), { maxKeys: 5 }), fc.constantFrom("default", "fast", "nope", "claude-opus-5-5")), {
    minLength: 1,
    maxLength: 8,
  })
  .map((list) => list.map(([ranges, model], index) => agent(`agent-${index}`, ranges, { model })));

/** A resolution's fields as plain data, keeping every order (maps as entry lists). */
function plain(resolution: Resolution) {
  return { status: resolution.status, model: resolution.model, assets: [...resolution.assets], conflicts: resolution.conflicts };
}

function plainRadius(radius: BlastRadius) {
  return {
    ...radius,
    changedAssets: [...radius.changedAssets],
    resolutions: [...radius.resolutions].map(([name, pair]) => [name, plain(pair.base), plain(pair.head)]),
    consumers: [...radius.consumers],
  };
}

function resolveAll(resolverOf: (state: RegistryState) => (agent: AgentFacts) => Resolution, registry: RegistryState, agents: readonly AgentFacts[]) {
  const resolve = resolverOf(registry);
  return agents.map((a) => plain(resolve(a)));
}

describe("the fast core against the reference", () => {
  it("resolves every agent exactly as the reference resolver does (versions, ranges in order, edges, conflicts)", () => {
    fc.assert(
      fc.property(registryArb, agentsArb, (spec, agents) => {
        const registry = state(spec);
        expect(resolveAll((s) => createResolver(s), registry, agents)).toEqual(resolveAll(createReferenceResolver, registry, agents));
      }),
      { numRuns: 400 },
    );
  });

  it("builds the same objects when they are read later, after other agents were resolved", () => {
    fc.assert(
      fc.property(registryArb, agentsArb, (spec, agents) => {
        const registry = state(spec);
        const resolve = createResolver(registry);
        const resolved = agents.map((a) => resolve(a));
        const reference = createReferenceResolver(registry);
        for (let at = agents.length - 1; at >= 0; at--) expect(plain(resolved[at]!)).toEqual(plain(reference(agents[at]!)));
      }),
      { numRuns: 200 },
    );
  });

  it("describes closures and finds versions from the integers as from the built objects", () => {
    fc.assert(
      fc.property(registryArb, agentsArb, (spec, agents) => {
        const registry = state(spec);
        const resolve = createResolver(registry);
        const reference = createReferenceResolver(registry);
        for (const a of agents) {
          const fast = resolve(a);
          const slow = reference(a);
          expect(describeClosure(fast)).toEqual(describeClosure(slow));
          for (const id of [...assetIds, "skill:missing" as const]) expect(fast.versionOf(id)).toBe(slow.assets.get(id)?.version);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("finds the ranges that reach one asset as the built objects list them, before and after they are built", () => {
    fc.assert(
      fc.property(registryArb, agentsArb, (spec, agents) => {
        const registry = state(spec);
        const resolve = createResolver(registry);
        const reference = createReferenceResolver(registry);
        for (const a of agents) {
          const fast = resolve(a);
          const slow = reference(a);
          const ranges = () => Array.from({ length: fast.count }, (_, at) => (fast.pickAt(at) < 0 ? null : fast.rangesAt(at)));
          const early = ranges();
          const expected = Array.from({ length: fast.count }, (_, at) => (fast.pickAt(at) < 0 ? null : slow.assets.get(fast.tables.cache.assets[fast.idAt(at)]!)!.ranges));
          expect(early).toEqual(expected);
          void fast.assets;
          expect(ranges()).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("orders integer asset ids as their texts, ids met after the first ordering too", () => {
    const cache = new ResolverCache();
    for (const id of ["skill:b", "server:z", "skill:a"] as const) cache.asset(id);
    expect(cache.compareIds(0, 1)).toBeGreaterThan(0);
    for (const id of ["skill:aa", "server:a", "skill:c", "skill:"] as const) cache.asset(id);
    const ids = cache.assets.map((_, id) => id).sort((a, b) => cache.compareIds(a, b));
    expect(ids.map((id) => cache.assets[id])).toEqual([...cache.assets].sort());
  });

  it("gives the passes' result when a range met deeper excludes a version chosen from the ranges above it", () => {
    // One walk chooses b 1.2.0 from the agent's `^1.0.0`; a@1.0.0's `~1.1.0`, met one layer down, excludes it.
    const registry = state({
      "skill:a": { "1.0.0": { requires: { "skill:b": "~1.1.0" } } },
      "skill:b": { "1.1.0": { requires: { "skill:c": "^1.0.0" } }, "1.2.0": { requires: { "skill:c": "^2.0.0" } } },
      "skill:c": { "1.0.0": {}, "2.0.0": {} },
    });
    const a = agent("a", { "skill:a": "^1.0.0", "skill:b": "^1.0.0" });
    const result = createResolver(registry)(a);
    expect([...result.assets].map(([id, resolved]) => `${id}@${resolved.version.version}`)).toEqual(["skill:a@1.0.0", "skill:b@1.1.0", "skill:c@1.0.0"]);
    expect(plain(result)).toEqual(plain(createReferenceResolver(registry)(a)));
  });

  it("gives the passes' result for chains just inside and just beyond the cap on passes", () => {
    // A chain of n assets needs n + 1 passes: the last one that fits is 63 assets; 64 hits the cap of 64 passes.
    for (const length of [62, 63, 64, 65]) {
      const spec: Record<string, Record<string, VersionSpec>> = {};
      for (let at = 0; at < length; at++) spec[`skill:c${at}`] = { "1.0.0": { requires: at + 1 < length ? { [`skill:c${at + 1}`]: "^1.0.0" } : {} } };
      const registry = state(spec);
      const a = agent("a", { "skill:c0": "^1.0.0" });
      const result = createResolver(registry)(a);
      expect(result.status).toBe(length <= 63 ? "ok" : "unsatisfiable");
      expect(plain(result)).toEqual(plain(createReferenceResolver(registry)(a)));
    }
  });

  it("resolves the same through a cache shared with another state's resolver", () => {
    fc.assert(
      fc.property(registryArb, editArb, agentsArb, (spec, edit, agents) => {
        const cache = new ResolverCache();
        const other = createResolver(state(applyEdit(spec, edit)), cache);
        const resolve = createResolver(state(spec), cache);
        for (const a of agents) {
          other(a);
          expect(plain(resolve(a))).toEqual(plain(createReferenceResolver(state(spec))(a)));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("gives the same blast radius as the reference, field for field and in the same order", () => {
    fc.assert(
      fc.property(registryArb, fc.array(editArb, { maxLength: 4 }), agentsArb, (baseSpec, edits, agents) => {
        const base = state(baseSpec);
        const head = state(edits.reduce(applyEdit, baseSpec), { default: "claude-sonnet-5-5", aliases: { fast: "claude-haiku-4-5" }, deprecated: {} });
        expect(plainRadius(computeBlastRadius(base, head, agents))).toEqual(plainRadius(computeReferenceBlastRadius(base, head, agents)));
      }),
      { numRuns: 300 },
    );
  });

  it("gives up on choices that oscillate after as many passes as the reference, with the same result", () => {
    // a@1 wants b ^2, a@2 wants b ^1, b@1 wants a ^1, b@2 wants a ^2: the choices cycle with period 4.
    const registry = state({
      "skill:a": { "1.0.0": { requires: { "skill:b": "^2.0.0" } }, "2.0.0": { requires: { "skill:b": "^1.0.0" } } },
      "skill:b": { "1.0.0": { requires: { "skill:a": "^1.0.0" } }, "2.0.0": { requires: { "skill:a": "^2.0.0" } } },
    });
    const spinning = agent("spinning", { "skill:a": "*", "skill:b": "*" });
    const result = createResolver(registry)(spinning);
    expect(result.status).toBe("unsatisfiable");
    expect(result.conflicts.map((conflict) => [conflict.asset, conflict.ranges.length])).toEqual([["skill:a", 0], ["skill:b", 0]]);
    expect(plain(result)).toEqual(plain(createReferenceResolver(registry)(spinning)));
  });
});
