import { describe, expect, it } from "vitest";
import { createResolver, resolveModel } from "../../../app/core/registry/resolve-agent.ts";
import { agent, state, type Ranges, type VersionsSpec } from "../../helpers/facts.ts";

const registry: VersionsSpec = {
  "server:crm": { "1.9.0": {}, "2.0.0": {}, "2.1.0": {}, "2.1.5": {}, "3.0.0-beta.1": {}, "3.0.0": {} },
  "server:auth": { "1.0.0": {}, "1.2.0": {} },
  "skill:tone-guide": { "1.0.0": {}, "1.1.0": {}, "2.0.0": {} },
  "skill:onboarding": {
    "1.0.0": { requires: { "server:crm": "^2.0.0", "skill:tone-guide": "^1.0.0" } },
    "1.1.0": { requires: { "server:crm": "^2.1.0", "skill:tone-guide": "^1.0.0" } },
  },
  "skill:escalation": { "1.0.0": { requires: { "skill:onboarding": "^1.0.0", "server:auth": "~1.0.0" } } },
};

function resolved(ranges: Ranges): Record<string, string> {
  const result = createResolver(state(registry))(agent("a", ranges));
  return Object.fromEntries([...result.assets].map(([id, asset]) => [id, asset.version.version]));
}

describe("createResolver", () => {
  it.each([
    ["picks the highest version in a caret range", { "server:crm": "^2.0.0" }, { "server:crm": "2.1.5" }],
    ["honours a tilde range", { "server:crm": "~2.1.0" }, { "server:crm": "2.1.5" }],
    ["honours an exact version", { "server:crm": "2.0.0" }, { "server:crm": "2.0.0" }],
    ["skips prereleases for a range that names none", { "server:crm": ">=2.1.0" }, { "server:crm": "3.0.0" }],
    ["admits a prerelease when the range names one of the same version", { "server:crm": "3.0.0-beta.1" }, { "server:crm": "3.0.0-beta.1" }],
    [
      "follows skill requires transitively",
      { "skill:onboarding": "^1.0.0" },
      { "skill:onboarding": "1.1.0", "server:crm": "2.1.5", "skill:tone-guide": "1.1.0" },
    ],
    [
      "intersects the agent's range with a transitive range",
      { "skill:onboarding": "^1.0.0", "server:crm": "2.1.0" },
      { "skill:onboarding": "1.1.0", "server:crm": "2.1.0", "skill:tone-guide": "1.1.0" },
    ],
    [
      "resolves a two-level chain",
      { "skill:escalation": "^1.0.0" },
      { "skill:escalation": "1.0.0", "skill:onboarding": "1.1.0", "server:crm": "2.1.5", "skill:tone-guide": "1.1.0", "server:auth": "1.0.0" },
    ],
  ])("%s", (_name, ranges, expected) => {
    expect(resolved(ranges)).toEqual(expected);
  });

  it("reports a conflict with every range that reached the asset when no version satisfies them all", () => {
    const result = createResolver(state(registry))(agent("a", { "server:crm": "~2.0.0", "skill:onboarding": "1.1.0" }));
    expect(result.status).toBe("unsatisfiable");
    expect(result.conflicts.map((conflict) => [conflict.asset, conflict.ranges.map((r) => `${r.range} (${r.source.repo}/${r.source.path})`)])).toEqual([
      ["server:crm", ["~2.0.0 (agents/a/agent.yaml)", "^2.1.0 (registry/skills/onboarding/SKILL.md)"]],
    ]);
  });

  it("reports an asset that does not exist as a conflict with no versions", () => {
    const result = createResolver(state(registry))(agent("a", { "server:nope": "^1.0.0" }));
    expect(result.status).toBe("unsatisfiable");
    expect(result.conflicts).toMatchObject([{ asset: "server:nope", available: [] }]);
  });

  it("terminates and resolves both members when skills require each other", () => {
    const cyclic = state({
      "skill:a": { "1.0.0": { requires: { "skill:b": "^1.0.0" } } },
      "skill:b": { "1.0.0": { requires: { "skill:a": "^1.0.0" } } },
    });
    const result = createResolver(cyclic)(agent("x", { "skill:a": "^1.0.0" }));
    expect(result.status).toBe("ok");
    expect([...result.assets.keys()].sort()).toEqual(["skill:a", "skill:b"]);
    expect(result.assets.get("skill:a")?.edges).toEqual(["skill:b"]);
  });

  it("does not backtrack to an older requirer: the highest version of each asset is taken, as the rule says", () => {
    // onboarding ^1.0.0 takes 1.1.0, whose crm ^2.1.0 cannot meet the agent's crm 2.0.0.
    const result = createResolver(state(registry))(agent("a", { "skill:onboarding": "^1.0.0", "server:crm": "2.0.0" }));
    expect(result.status).toBe("unsatisfiable");
    expect(result.assets.get("skill:onboarding")?.version.version).toBe("1.1.0");
  });

  it("drops a range once the version that stated it is no longer chosen", () => {
    // Pass by pass: b starts at 1.5.0 (wanting d ^2); c@1.1.0, reached through a, then narrows b to ~1.0.0,
    // so b@1.0.0 wants d ^1 and b@1.5.0's d ^2 must not linger.
    const chain = state({
      "skill:a": { "1.0.0": { requires: { "skill:c": "^1.0.0" } } },
      "skill:b": { "1.0.0": { requires: { "skill:d": "^1.0.0" } }, "1.5.0": { requires: { "skill:d": "^2.0.0" } } },
      "skill:c": { "1.1.0": { requires: { "skill:b": "~1.0.0" } } },
      "skill:d": { "1.3.0": {}, "2.0.0": {} },
    });
    const result = createResolver(chain)(agent("x", { "skill:a": "^1.0.0", "skill:b": "^1.0.0" }));
    expect(result.status).toBe("ok");
    expect(Object.fromEntries([...result.assets].map(([id, asset]) => [id, asset.version.version]))).toEqual({
      "skill:a": "1.0.0",
      "skill:b": "1.0.0",
      "skill:c": "1.1.0",
      "skill:d": "1.3.0",
    });
  });
});

describe("resolveModel", () => {
  it.each([
    ["default", { ref: "model:default", id: "claude-sonnet-4-5" }],
    ["fast", { ref: "model:alias:fast", id: "claude-haiku-4-5" }],
    ["claude-opus-5-5", { ref: "model:claude-opus-5-5", id: "claude-opus-5-5" }],
    ["turbo", { ref: "model:alias:turbo", id: null }],
  ])("resolves `%s`", (model, expected) => {
    expect(resolveModel(model, state({}))).toEqual(expected);
  });
});
