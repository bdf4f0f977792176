import { describe, expect, it } from "vitest";
import { checkModel } from "../../../app/core/registry/check-agent.ts";
import { bumpKind, classifyChanges } from "../../../app/core/registry/classify-changes.ts";
import { createResolver } from "../../../app/core/registry/resolve-agent.ts";
import type { ModelsConfig } from "../../../schemas/models.schema.ts";
import { agent, defaultModels, history, state, tree, type VersionSpec } from "../../helpers/facts.ts";

const consumers = { count: () => 2, gaining: () => ["a", "b"] };
const getCase = { name: "get_case", description: "Get a case", inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] }, scopes: [] };

function classify(from: [string, VersionSpec?] | null, to: [string, VersionSpec?] | null, tagged: Record<string, VersionSpec> = {}) {
  const base = tree(from ? { "server:crm": from } : {});
  const head = tree(to ? { "server:crm": to } : {}, defaultModels, "head");
  return classifyChanges(history({ "server:crm": tagged }, base, head), consumers, "2026-11-24");
}

describe("classifyChanges", () => {
  it.each<[string, [string, VersionSpec?] | null, [string, VersionSpec?] | null, object]>([
    ["a patch release", ["2.1.0"], ["2.1.1", { content: "fix" }], { bump: "patch", flags: [] }],
    ["a major release", ["2.1.0"], ["3.0.0"], { bump: "major", flags: [] }],
    ["a prerelease", ["2.1.0"], ["3.0.0-rc.1"], { bump: "prerelease", flags: [] }],
    ["a downgrade", ["2.1.0"], ["2.0.0"], { bump: "downgrade", flags: ["downgrade"] }],
    ["an added server", null, ["1.0.0"], { from: null, bump: null, flags: ["added"] }],
    ["a removed server", ["2.1.0"], null, { to: null, bump: null, flags: ["removed"] }],
    ["a content change without a bump", ["2.1.0"], ["2.1.0", { content: "edited" }], { bump: "none", flags: ["content-changed-without-bump"] }],
    ["new scopes", ["2.1.0"], ["2.2.0", { scopes: ["crm.cases:delete"] }], { flags: ["scopes-added"], scopesAdded: ["crm.cases:delete"], gainedBy: ["a", "b"] }],
    ["a breaking tool change under a minor bump", ["2.1.0", { tools: [getCase] }], ["2.2.0"], { bump: "minor", flags: ["tool-removed", "breaking", "breaking-under-minor"] }],
    ["a breaking tool change under a patch bump", ["2.1.0", { tools: [getCase] }], ["2.1.1"], { bump: "patch", flags: ["tool-removed", "breaking", "breaking-under-patch"] }],
    ["a breaking tool change under a major bump, unflagged", ["2.1.0", { tools: [getCase] }], ["3.0.0"], { bump: "major", flags: ["tool-removed", "breaking"] }],
    ["a breaking change in a 0.x minor, allowed by semver", ["0.3.0", { tools: [getCase] }], ["0.4.0"], { bump: "minor", flags: ["tool-removed", "breaking"] }],
    ["a changed requirement", ["2.1.0"], ["2.1.1", { requires: { "server:auth": "^2.0.0" } }], { flags: ["requires-changed"], details: ["requires: nothing → server:auth@^2.0.0"] }],
  ])("classifies %s", (_name, from, to, expected) => {
    const { changes } = classify(from, to);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject(expected);
  });

  it("lists nothing when the server did not change", () => {
    expect(classify(["2.1.0"], ["2.1.0"]).changes).toEqual([]);
  });

  it("reports a head version that reuses a published tag with other content as an error to bump", () => {
    const { changes, problems } = classify(["2.1.0"], ["2.2.0", { content: "new" }], { "2.2.0": { content: "old" } });
    expect(changes[0]?.flags).toContain("content-changed-without-bump");
    expect(problems.map((p) => [p.level, p.code, p.message])).toEqual([
      ["error", "unbumped-change", "server:crm@2.2.0 is already published (tag `servers/crm@2.2.0`) with other content; published versions are immutable, so bump the version"],
    ]);
  });

  it("reports skill sections added and removed", () => {
    const base = tree({ "skill:tone": ["1.0.0", { headings: ["Voice", "Sign-offs"] }] });
    const head = tree({ "skill:tone": ["2.0.0", { headings: ["Voice and register", "Sign-offs", "Emoji"] }] }, defaultModels, "head");
    const [change] = classifyChanges(history({}, base, head), consumers, "2026-11-24").changes;
    expect(change?.details).toEqual(["sections added: `## Voice and register`, `## Emoji`", "sections removed: `## Voice` (overlays replacing them stop applying)"]);
  });

  it.each<[string, Partial<ModelsConfig>, object[]]>([
    ["a default switch", { default: "claude-sonnet-5-5" }, [{ asset: "model:default", from: "claude-sonnet-4-5", to: "claude-sonnet-5-5", flags: ["model-retarget"] }]],
    ["a switch to a deprecated model", { default: "claude-opus-4-5", deprecated: { "claude-opus-4-5": { retires: "2026-12-31", replacement: "claude-opus-5-5" } } }, [{ flags: ["model-retarget", "deprecated-model"], details: ["default model claude-sonnet-4-5 → claude-opus-4-5", "claude-opus-4-5 is deprecated: retires 2026-12-31; move to claude-opus-5-5"] }]],
    ["a switch to a model outside `allowed`", { default: "claude-opus-5-5", allowed: ["claude-sonnet-4-5"] }, [{ flags: ["model-retarget", "disallowed-model"] }]],
    ["an alias retarget", { aliases: { fast: "claude-haiku-5-5" } }, [{ asset: "model:alias:fast", from: "claude-haiku-4-5", to: "claude-haiku-5-5", flags: ["model-retarget"] }]],
    ["an alias added and one removed", { aliases: { quick: "claude-haiku-5-5" } }, [{ asset: "model:alias:fast", flags: ["alias-removed"], to: null }, { asset: "model:alias:quick", flags: ["alias-added"], from: null }]],
  ])("classifies %s", (_name, models, expected) => {
    const head = tree({}, { ...defaultModels, ...models }, "head");
    expect(classifyChanges(history({}, tree({}), head), consumers, "2026-11-24").changes).toMatchObject(expected);
  });

  it.each([
    ["2.1.0", "2.1.0", "none"],
    ["2.1.0", "2.1.1", "patch"],
    ["2.1.0", "2.2.0-beta.1", "prerelease"],
    ["3.0.0-beta.1", "3.0.0", "major"],
  ])("names %s → %s a %s bump", (from, to, expected) => {
    expect(bumpKind(from, to)).toBe(expected);
  });
});

describe("checkModel", () => {
  const models: ModelsConfig = {
    ...defaultModels,
    allowed: ["claude-sonnet-4-5", "claude-haiku-4-5"],
    deprecated: { "claude-sonnet-4-5": { retires: "2026-11-30", replacement: "claude-sonnet-5-5" } },
  };
  const check = (model: string, today: string) => {
    const facts = agent("a", {}, { model });
    return checkModel(facts, createResolver(state({}, models))(facts), models, today).map((p) => [p.level, p.message]);
  };

  it.each([
    ["default", "2026-11-24", [["warning", "uses claude-sonnet-4-5 (via `default`), which is deprecated and retires on 2026-11-30; move to claude-sonnet-5-5"]]],
    ["default", "2026-11-30", [["error", "uses claude-sonnet-4-5 (via `default`), which is deprecated and retired on 2026-11-30; move to claude-sonnet-5-5"]]],
    ["claude-opus-5-5", "2026-11-24", [["error", "uses claude-opus-5-5, which models.yaml does not allow; pick one of claude-sonnet-4-5, claude-haiku-4-5"]]],
    ["fast", "2026-11-24", []],
  ])("checks `model: %s` on %s", (model, today, expected) => {
    expect(check(model, today)).toEqual(expected);
  });
});
