import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { JUDGE_KEY_FORMAT, judgeKey, trialKey, trialKeyContent } from "../../../app/core/evals/trial-key.ts";
import { canonicalJson } from "../../../app/core/evals/canonical-json.ts";
import { sha256Hex } from "../../../app/evals/hash.ts";
import { agentUnderTest, evalCase } from "../../helpers/agent-under-test.ts";

const key = (agent = agentUnderTest(), kase = evalCase(), trial = 0) => trialKey(agent, kase, trial, sha256Hex);
const base = key();

describe("trialKey", () => {
  it("is the sha256 of the key's canonical JSON, 64 hex digits, equal for equal inputs", () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(base).toBe(createHash("sha256").update(canonicalJson(trialKeyContent(agentUnderTest(), evalCase(), 0))).digest("hex"));
    expect(key()).toBe(base);
  });

  it("does not depend on the order objects' keys were built in", () => {
    const schema = { properties: { id: { type: "string" } }, type: "object" };
    const agent = agentUnderTest();
    const reordered = agentUnderTest({ tools: [{ inputSchema: schema, description: "Reads an account.", name: "get_account", server: "crm" }] });
    expect(key(reordered)).toBe(key(agent));
    expect(key(agent, evalCase({ mocks: { "crm.get_account": [{ returns: { plan: "pro" }, when: { id: "42" } }] } }))).toBe(base);
  });

  it.each<[string, () => string]>([
    ["the trial index", () => key(undefined, undefined, 1)],
    ["the case id", () => key(undefined, evalCase({ id: "refund-policy-2" }))],
    ["the case input", () => key(undefined, evalCase({ input: "Can I get a refund for order 43?" }))],
    ["the case input as turns", () => key(undefined, evalCase({ input: [{ role: "user", content: "Can I get a refund for order 42?" }] }))],
    ["a mock's answer", () => key(undefined, evalCase({ mocks: { "crm.get_account": [{ when: { id: "42" }, returns: { plan: "free" } }] } }))],
    ["the model", () => key(agentUnderTest({ model: "claude-opus-4-6" }))],
    ["the system prompt", () => key(agentUnderTest({ system: "You help customers." }))],
    ["a skill's body", () => key(agentUnderTest({ skills: [{ name: "tone-guide", version: "1.0.0", body: "Be kind." }] }))],
    ["a tool's description", () => key(agentUnderTest({ tools: [{ ...agentUnderTest().tools[0]!, description: "Reads one account." }] }))],
    ["an asset's content hash", () => key(agentUnderTest({ variant: { ...agentUnderTest().variant, assets: [{ asset: "server:crm", version: "2.1.0", contentHash: "e".repeat(64) }] } }))],
    ["the runner's turn cap", () => key(agentUnderTest({ runner: { type: "builtin", maxTurns: 3 } }))],
    ["the agent's name", () => key(agentUnderTest({ agent: { name: "billing", team: "cx", tier: "production" } }))],
  ])("changes with %s", (_what, changed) => {
    expect(changed()).not.toBe(base);
  });

  it.each<[string, () => string]>([
    ["the assertions", () => key(undefined, evalCase({ assertions: [] }))],
    ["the threshold, tags, trial count and description", () => key(undefined, evalCase({ threshold: 0.5, tags: [], trials: 9, description: "new words" }))],
    ["where the case is written", () => key(undefined, evalCase({ file: "evals/other.yaml", line: 40 }))],
    ["the variant's label and ref", () => key(agentUnderTest({ variant: { ...agentUnderTest().variant, label: "base", ref: "main" } }))],
    ["the variant key (suite hash) for the builtin runner", () => key(agentUnderTest({ key: "b".repeat(64) }))],
    ["the agent's team and tier", () => key(agentUnderTest({ agent: { name: "support", team: "ops", tier: "staging" } }))],
  ])("stays the same when only %s change", (_what, changed) => {
    expect(changed()).toBe(base);
  });

  it("changes with the variant key for the command runner, whose team code only that key speaks for", () => {
    const runner = { type: "command" as const, command: ["node", "eval.js"], timeoutSeconds: 300 };
    expect(key(agentUnderTest({ runner, key: "b".repeat(64) }))).not.toBe(key(agentUnderTest({ runner })));
  });

  it.each([-1, 1.5, Number.NaN])("refuses trial %s", (trial) => {
    expect(() => key(undefined, undefined, trial)).toThrow(RangeError);
  });
});

describe("judgeKey", () => {
  const request = { model: "claude-haiku-4-5", max_tokens: 512, system: "You grade.", messages: [{ role: "user", content: "Rubric: polite. Output: hi" }] };

  it("is the hash of the whole request with the format, whatever the order of its keys", () => {
    const k = judgeKey(request, sha256Hex);
    expect(k).toBe(sha256Hex(canonicalJson({ format: JUDGE_KEY_FORMAT, kind: "judge", request })));
    expect(judgeKey({ messages: request.messages, system: request.system, max_tokens: 512, model: request.model }, sha256Hex)).toBe(k);
  });

  it.each([
    ["model", { ...request, model: "claude-sonnet-4-6" }],
    ["max_tokens", { ...request, max_tokens: 513 }],
    ["a message", { ...request, messages: [{ role: "user", content: "Rubric: polite. Output: hello" }] }],
    ["temperature added", { ...request, temperature: 0 }],
  ])("changes with %s", (_what, changed) => {
    expect(judgeKey(changed, sha256Hex)).not.toBe(judgeKey(request, sha256Hex));
  });

  it("never equals a trial key, even over the same text", () => {
    expect(judgeKey(trialKeyContent(agentUnderTest(), evalCase(), 0), sha256Hex)).not.toBe(base);
  });
});
