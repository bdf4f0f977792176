import { describe, expect, it } from "vitest";
import { gradeTrial, type GradeContext } from "../../../app/core/evals/grade-trial.ts";
import type { Judgement, Transcript } from "../../../app/core/evals/model.ts";
import { ASSERTION_TYPES, assertionSchema, type Assertion, type AssertionType } from "../../../schemas/eval-suite.schema.ts";
import { call, caseWith, transcript } from "./eval-fixtures.ts";

const noJudgements: ReadonlyMap<number, Judgement> = new Map();
const context = (overrides: Partial<GradeContext> = {}): GradeContext => ({ costUsd: 0.01, judgements: noJudgements, ...overrides });

interface Row {
  readonly type: AssertionType;
  readonly name: string;
  /** The assertion's fields besides `type` (parsed through the suite schema, so defaults apply). */
  readonly fields: Record<string, unknown>;
  readonly run?: Partial<Transcript>;
  readonly context?: Partial<GradeContext>;
  /** Whether the positive form passes; the `not-` form must do the opposite. */
  readonly holds: boolean;
}

const refundCalls = [call("crm.get_account", { id: "A1" }), call("crm.refund", { amount: 900, order: { id: 950, lines: [1, 2] } })];
const judged = (pass: boolean): Partial<GradeContext> => ({ judgements: new Map([[0, { pass, score: pass ? 0.9 : 0.2, reason: pass ? "Apologises and refunds." : "No apology." }]]) });

const rows: Row[] = [
  { type: "equals", name: "text, trimmed", fields: { value: "Done." }, run: { output: "  Done.\n" }, holds: true },
  { type: "equals", name: "different text", fields: { value: "Done." }, run: { output: "Done!" }, holds: false },
  { type: "equals", name: "JSON value, keys in any order", fields: { value: { a: 1, b: [1, 2] } }, run: { output: '{"b":[1,2],"a":1}' }, holds: true },
  { type: "equals", name: "JSON value in a ```json block", fields: { value: { a: 1 } }, run: { output: 'Here:\n```json\n{"a": 1}\n```\n' }, holds: true },
  { type: "equals", name: "JSON value with an extra key", fields: { value: { a: 1 } }, run: { output: '{"a":1,"b":2}' }, holds: false },
  { type: "equals", name: "JSON value, output not JSON", fields: { value: 42 }, run: { output: "forty-two" }, holds: false },
  { type: "contains", name: "present", fields: { value: "$950" }, holds: true },
  { type: "contains", name: "case differs", fields: { value: "refunded" }, holds: false },
  { type: "icontains", name: "case differs", fields: { value: "REFUNDED" }, holds: true },
  { type: "icontains", name: "absent", fields: { value: "apolog" }, holds: false },
  { type: "regex", name: "matches", fields: { value: "\\$9\\d0" }, holds: true },
  { type: "regex", name: "with a flag", fields: { value: "^refunded", flags: "i" }, holds: true },
  { type: "regex", name: "without the flag", fields: { value: "^refunded" }, holds: false },
  { type: "json-schema", name: "meets", fields: { value: { type: "object", required: ["amount"], properties: { amount: { type: "number" } } } }, run: { output: '{"amount": 950}' }, holds: true },
  { type: "json-schema", name: "meets, in a fenced block", fields: { value: { type: "object", required: ["amount"] } }, run: { output: 'Result:\n```json\n{"amount": 950}\n```' }, holds: true },
  { type: "json-schema", name: "wrong type", fields: { value: { type: "object", properties: { amount: { type: "number" } } } }, run: { output: '{"amount": "950"}' }, holds: false },
  { type: "json-schema", name: "a format (ajv-formats)", fields: { value: { type: "string", format: "email" } }, run: { output: '"not an email"' }, holds: false },
  { type: "json-schema", name: "output not JSON", fields: { value: { type: "object" } }, holds: false },
  { type: "json-schema", name: "2020-12 by default (prefixItems)", fields: { value: { type: "array", prefixItems: [{ type: "number" }], items: false } }, run: { output: "[1]" }, holds: true },
  { type: "json-schema", name: "draft-07 when its $schema says so (items as a list)", fields: { value: { $schema: "http://json-schema.org/draft-07/schema#", type: "array", items: [{ type: "number" }], additionalItems: false } }, run: { output: "[1]" }, holds: true },
  { type: "tool-called", name: "called", fields: { tool: "crm.refund" }, run: { toolCalls: refundCalls }, holds: true },
  { type: "tool-called", name: "args a deep subset", fields: { tool: "crm.refund", args: { order: { id: 950 } } }, run: { toolCalls: refundCalls }, holds: true },
  { type: "tool-called", name: "args differ", fields: { tool: "crm.refund", args: { amount: 950 } }, run: { toolCalls: refundCalls }, holds: false },
  { type: "tool-called", name: "array args must match whole", fields: { tool: "crm.refund", args: { order: { lines: [1] } } }, run: { toolCalls: refundCalls }, holds: false },
  { type: "tool-called", name: "times matches", fields: { tool: "crm.get_account", times: 1 }, run: { toolCalls: refundCalls }, holds: true },
  { type: "tool-called", name: "times too few", fields: { tool: "crm.get_account", times: 2 }, run: { toolCalls: refundCalls }, holds: false },
  { type: "tool-called", name: "never called", fields: { tool: "crm.refund" }, holds: false },
  { type: "tool-not-called", name: "not called", fields: { tool: "crm.delete_account" }, run: { toolCalls: refundCalls }, holds: true },
  { type: "tool-not-called", name: "called", fields: { tool: "crm.refund" }, run: { toolCalls: refundCalls }, holds: false },
  { type: "tool-not-called", name: "called, but not with these args", fields: { tool: "crm.refund", args: { amount: 950 } }, run: { toolCalls: refundCalls }, holds: true },
  { type: "tool-sequence", name: "in order with others between", fields: { tools: ["crm.get_account", "crm.refund"] }, run: { toolCalls: [refundCalls[0]!, call("tickets.note"), refundCalls[1]!] }, holds: true },
  { type: "tool-sequence", name: "out of order", fields: { tools: ["crm.refund", "crm.get_account"] }, run: { toolCalls: refundCalls }, holds: false },
  { type: "tool-sequence", name: "strict, exactly", fields: { tools: ["crm.get_account", "crm.refund"], strict: true }, run: { toolCalls: refundCalls }, holds: true },
  { type: "tool-sequence", name: "strict, a call between", fields: { tools: ["crm.get_account", "crm.refund"], strict: true }, run: { toolCalls: [refundCalls[0]!, call("tickets.note"), refundCalls[1]!] }, holds: false },
  { type: "max-tool-calls", name: "within", fields: { value: 2 }, run: { toolCalls: refundCalls }, holds: true },
  { type: "max-tool-calls", name: "over", fields: { value: 1 }, run: { toolCalls: refundCalls }, holds: false },
  { type: "max-tool-calls", name: "one tool, within", fields: { value: 1, tool: "crm.refund" }, run: { toolCalls: refundCalls }, holds: true },
  { type: "max-tool-calls", name: "one tool, over", fields: { value: 0, tool: "crm.refund" }, run: { toolCalls: refundCalls }, holds: false },
  { type: "max-cost-usd", name: "within", fields: { value: 0.05 }, context: { costUsd: 0.05 }, holds: true },
  { type: "max-cost-usd", name: "over", fields: { value: 0.05 }, context: { costUsd: 0.051 }, holds: false },
  { type: "max-latency-ms", name: "within", fields: { value: 1200 }, holds: true },
  { type: "max-latency-ms", name: "over", fields: { value: 1199 }, holds: false },
  { type: "rubric", name: "judged a pass", fields: { value: "Apologises before refunding." }, context: judged(true), holds: true },
  { type: "rubric", name: "judged a fail", fields: { value: "Apologises before refunding." }, context: judged(false), holds: false },
];

function gradeOne(type: string, row: Row) {
  const assertion = assertionSchema.parse({ type, ...row.fields }) as Assertion;
  const grade = gradeTrial(caseWith([assertion]), transcript(row.run), context(row.context));
  expect(grade.assertions).toHaveLength(1);
  return grade;
}

describe("gradeTrial, one assertion at a time", () => {
  it.each(rows.map((row) => [`${row.type}: ${row.name}`, row] as const))("%s", (_name, row) => {
    const positive = gradeOne(row.type, row);
    expect(positive.assertions[0]!.passed).toBe(row.holds);
    expect(positive.status).toBe(row.holds ? "passed" : "failed");
    expect(positive.score).toBe(row.holds ? 1 : 0);
    expect(positive.assertions[0]!.detail).toMatch(row.holds ? /, as expected; / : /^expected /);

    const negated = gradeOne(`not-${row.type}`, row);
    expect(negated.assertions[0]!.passed).toBe(!row.holds);
    expect(negated.assertions[0]!.type).toBe(`not-${row.type}`);
    expect(negated.assertions[0]!.detail).not.toBe(positive.assertions[0]!.detail);
  });

  it("has a passing and a failing row for every assertion type of the suite schema", () => {
    for (const type of ASSERTION_TYPES) {
      expect(rows.some((row) => row.type === type && row.holds), `${type} passing`).toBe(true);
      expect(rows.some((row) => row.type === type && !row.holds), `${type} failing`).toBe(true);
    }
  });

  it.each([
    ["regex that does not compile", { type: "regex", value: "(unclosed" }, /regular expression \/\(unclosed\/ does not compile/],
    ["JSON Schema that does not compile", { type: "json-schema", value: { type: "no-such-type" } }, /JSON Schema in the suite does not compile/],
    ["rubric nobody judged", { type: "rubric", value: "Is polite." }, /was not judged/],
  ])("fails both forms of a %s", (_name, fields, detail) => {
    for (const type of [fields.type, `not-${fields.type}`]) {
      const grade = gradeTrial(caseWith([assertionSchema.parse({ ...fields, type })]), transcript(), context());
      expect(grade.assertions[0]).toMatchObject({ passed: false, detail: expect.stringMatching(detail) });
    }
  });
});

describe("gradeTrial details", () => {
  it("names the expected call and lists the calls made, with the inputs of the tool in question", () => {
    const grade = gradeTrial(caseWith([{ type: "tool-called", tool: "crm.refund", args: { amount: 950 } }]), transcript({ toolCalls: refundCalls }), context());
    expect(grade.assertions[0]!.detail).toMatchInlineSnapshot(
      `"expected a call to crm.refund with {amount: 950}; calls: crm.get_account, crm.refund {amount: 900, order: {id: 950, lines: [1, 2]}}."`,
    );
  });

  it("puts the author's description first when an assertion fails", () => {
    const grade = gradeTrial(caseWith([{ type: "not-contains", value: "guarantee", description: "Never promises outcomes." }]), transcript({ output: "We guarantee a refund." }), context());
    expect(grade.assertions[0]!.detail).toMatchInlineSnapshot(
      `"Never promises outcomes: expected an output without "guarantee"; found at character 4: "We guarantee a refund."."`,
    );
  });

  it("carries the judge's score and reason on a rubric outcome", () => {
    const grade = gradeTrial(caseWith([{ type: "rubric", value: "Apologises." }]), transcript(), context(judged(true)));
    expect(grade.assertions[0]).toMatchObject({ score: 0.9, detail: expect.stringContaining("score 0.90: Apologises and refunds") });
  });

  it("says a failing assertion's run stopped at the turn cap", () => {
    const grade = gradeTrial(caseWith([{ type: "contains", value: "Refunded" }, { type: "tool-called", tool: "crm.refund" }]), transcript({ stop: "max-turns" }), context());
    expect(grade.assertions[0]!.detail).not.toMatch(/turn cap/);
    expect(grade.assertions[1]!.detail).toMatch(/; the run stopped at the runner's turn cap before the agent finished\.$/);
  });
});

describe("gradeTrial scores", () => {
  const three = [
    { type: "contains", value: "Refunded", weight: 2 },
    { type: "contains", value: "apology", weight: 1 },
    { type: "max-latency-ms", value: 5000, weight: 1 },
  ] as const;

  it.each([
    [1, "failed"],
    [0.75, "passed"],
    [0.7, "passed"],
    [0.76, "failed"],
  ] as const)("scores passed weight over total weight against threshold %s", (threshold, status) => {
    const grade = gradeTrial(caseWith([...three], { threshold }), transcript(), context());
    expect(grade.score).toBe(0.75);
    expect(grade.status).toBe(status);
  });

  it("reaches a threshold that float sums land a hair under", () => {
    const tenths = [0.1, 0.2, 0.7].map((weight, i) => ({ type: "contains" as const, value: i < 2 ? "Refunded" : "absent", weight }));
    expect(gradeTrial(caseWith(tenths, { threshold: 0.3 }), transcript(), context()).status).toBe("passed");
  });

  it("passes a case with no assertions with score 1", () => {
    expect(gradeTrial(caseWith([]), transcript(), context())).toEqual({ status: "passed", score: 1, assertions: [] });
  });

  it("scores 1 when every assertion weighs nothing, and still reports each outcome", () => {
    const grade = gradeTrial(caseWith([{ type: "contains", value: "absent", weight: 0 }]), transcript(), context());
    expect(grade).toMatchObject({ status: "passed", score: 1, assertions: [{ passed: false, weight: 0 }] });
  });

  it.each([
    ["error", "Messages API returned 500", "Messages API returned 500"],
    ["timeout", undefined, "the run timed out"],
    ["error", "  ", "the run failed without saying why"],
  ] as const)("marks a run that stopped with %s as errored without grading it", (stop, error, expected) => {
    const grade = gradeTrial(caseWith([...three]), transcript({ stop, ...(error === undefined ? {} : { error }) }), context());
    expect(grade).toEqual({ status: "errored", score: 0, assertions: [], error: expected });
  });
});
