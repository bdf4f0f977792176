import { describe, expect, it } from "vitest";
import { answerMock, toolResultText } from "../../../app/core/evals/answer-mock.ts";
import { matchesSubset } from "../../../app/core/evals/json-value.ts";
import type { MockRule } from "../../../app/core/evals/model.ts";

const rules: MockRule[] = [
  { when: { account_id: "A-1", options: { include: ["cases"] } }, returns: { id: "A-1", cases: [] } },
  { when: { account_id: "A-2" }, error: "account A-2 is locked" },
  { when: { account_id: "A-3" }, returns: "plain text" },
  { returns: { id: "anyone" } },
];

describe("answerMock", () => {
  it.each([
    ["a deep subset match, extra keys ignored", { account_id: "A-1", options: { include: ["cases"], limit: 5 }, extra: true }, { output: { id: "A-1", cases: [] }, isError: false }],
    ["an error rule", { account_id: "A-2" }, { output: "account A-2 is locked", isError: true }],
    ["text as is", { account_id: "A-3" }, { output: "plain text", isError: false }],
    ["the catch-all when a list differs", { account_id: "A-1", options: { include: ["cases", "contacts"] } }, { output: { id: "anyone" }, isError: false }],
    ["the catch-all for input that is not an object", "A-1", { output: { id: "anyone" }, isError: false }],
  ])("answers from the first matching rule: %s", (_what, input, answer) => {
    expect(answerMock(rules, input)).toEqual(answer);
  });

  it("returns null when no rule matches", () => {
    expect(answerMock(rules.slice(0, 3), { account_id: "A-9" })).toBeNull();
    expect(answerMock([], {})).toBeNull();
  });
});

describe("matchesSubset, as mocks match their `when`", () => {
  it.each([
    [{ a: 1 }, { a: 1, b: 2 }, true],
    [{ a: 1 }, { a: "1" }, false],
    [{ a: null }, {}, false],
    [{ a: null }, { a: null }, true],
    [{ a: [1, 2] }, { a: [1, 2, 3] }, false],
    [{ a: [{ x: 1 }] }, { a: [{ x: 1, y: 2 }] }, true],
    [{ a: {} }, { a: [] }, false],
    [[1], { 0: 1 }, false],
    [0, -0, true],
  ])("%j within %j is %s", (expected, actual, result) => {
    expect(matchesSubset(expected, actual)).toBe(result);
  });
});

describe("toolResultText", () => {
  it("keeps text and writes anything else as JSON", () => {
    expect(toolResultText("ok")).toBe("ok");
    expect(toolResultText({ a: [1] })).toBe('{"a":[1]}');
    expect(toolResultText(null)).toBe("null");
  });
});
