// Grades one trial: every assertion of the case against the transcript, each with a
// sentence a skill author can act on, then the weighted score against the case's threshold.
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { EvalResults } from "../../../schemas/eval-results.schema.ts";
import type { AssertionType } from "../../../schemas/eval-suite.schema.ts";
import { clip, deepEqual, matchesSubset, readJson, showValue } from "./json-value.ts";
import type { EvalCase, JsonValue, Judgement, LocatedAssertion, Transcript } from "./model.ts";
import { formatUsd as usd } from "./prices.ts";

/** One assertion's outcome, as the results file stores it. */
export type AssertionOutcome = EvalResults["cases"][number]["trials"][number]["assertions"][number];

/** What grading says about one trial. */
export interface TrialGrade {
  /** `errored`: the run failed (stop `error` or `timeout`), so nothing was graded. */
  readonly status: "passed" | "failed" | "errored";
  /** Share of assertion weight that passed (0 when errored). */
  readonly score: number;
  readonly assertions: readonly AssertionOutcome[];
  /** Why the run failed, for an errored trial. */
  readonly error?: string;
}

/** Facts grading needs besides the transcript. */
export interface GradeContext {
  /** What the trial's model calls cost (for `max-cost-usd`). */
  readonly costUsd: number;
  /** The judge's verdicts on the case's `rubric` assertions, by assertion index. */
  readonly judgements: ReadonlyMap<number, Judgement>;
}

/** Allowance for float sums: weights like 0.1 + 0.2 still meet a threshold of 0.3. */
const EPSILON = 1e-9;

/**
 * Grades a trial.
 *
 * 1. A run that failed (stop `error` or `timeout`) is `errored`: its output is not an
 *    answer, so no assertion is graded and the error is kept.
 * 2. Otherwise every assertion is checked; a `not-` assertion passes when its check does
 *    not hold — except when the check could not be made at all (a rubric nobody judged, a
 *    regular expression or schema that does not compile): that fails both forms.
 * 3. Score = passed weight / total weight; no assertions (or no weight) scores 1. The trial
 *    passes when the score reaches the case's threshold.
 *
 * A run stopped at the runner's turn cap (`max-turns`) is graded like any other, since its
 * output is what a user would have got; each failing assertion's detail says the run hit
 * the cap, which is often the reason.
 */
export function gradeTrial(evalCase: EvalCase, transcript: Transcript, context: GradeContext): TrialGrade {
  if (transcript.stop === "error" || transcript.stop === "timeout") {
    const error = transcript.error?.trim() || (transcript.stop === "timeout" ? "the run timed out" : "the run failed without saying why");
    return { status: "errored", score: 0, assertions: [], error };
  }
  const assertions = evalCase.assertions.map((located) => {
    const outcome = gradeAssertion(located, transcript, context);
    return transcript.stop === "max-turns" && !outcome.passed
      ? { ...outcome, detail: `${outcome.detail.replace(/\.$/, "")}; the run stopped at the runner's turn cap before the agent finished.` }
      : outcome;
  });
  const total = assertions.reduce((sum, outcome) => sum + outcome.weight, 0);
  const passedWeight = assertions.reduce((sum, outcome) => sum + (outcome.passed ? outcome.weight : 0), 0);
  const score = total <= 0 ? 1 : Math.min(1, passedWeight / total);
  return { status: score + EPSILON >= evalCase.threshold ? "passed" : "failed", score, assertions };
}

/** The assertion fields each type carries (schemas/eval-suite.schema.ts), typed for narrowing. */
interface Fields {
  equals: { value: JsonValue };
  contains: { value: string };
  icontains: { value: string };
  regex: { value: string; flags?: string };
  "json-schema": { value: Record<string, JsonValue> };
  "tool-called": { tool: string; args?: Record<string, JsonValue>; times?: number };
  "tool-not-called": { tool: string; args?: Record<string, JsonValue> };
  "tool-sequence": { tools: string[]; strict: boolean };
  "max-tool-calls": { value: number; tool?: string };
  "max-cost-usd": { value: number };
  "max-latency-ms": { value: number };
  rubric: { value: string; model?: string };
}
type Typed<T extends AssertionType> = Fields[T] & { type: T; weight: number; description?: string };

/**
 * A check's finding: whether its claim holds, the claim as a noun phrase for each form
 * ("a call to crm.refund", "no call to crm.refund"), and what was seen.
 */
type Finding =
  | { readonly kind: "checked"; readonly holds: boolean; readonly claim: string; readonly negation: string; readonly seen: string; readonly score?: number }
  | { readonly kind: "unchecked"; readonly detail: string };

function gradeAssertion(located: LocatedAssertion, transcript: Transcript, context: GradeContext): AssertionOutcome {
  const { assertion, index } = located;
  const negated = assertion.type.startsWith("not-");
  const type = (negated ? assertion.type.slice("not-".length) : assertion.type) as AssertionType;
  const finding = check(type, { ...(assertion as object), type } as Typed<AssertionType>, index, transcript, context);
  const base = { index, type: assertion.type, weight: assertion.weight };
  if (finding.kind === "unchecked") return { ...base, passed: false, detail: finding.detail };
  const passed = finding.holds !== negated;
  const expected = negated ? finding.negation : finding.claim;
  const detail = passed ? `${expected}, as expected; ${finding.seen}.` : `expected ${expected}; ${finding.seen}.`;
  return { ...base, passed, detail: withNote(detail, passed, assertion.description), ...(finding.score === undefined ? {} : { score: finding.score }) };
}

/** The author's own description of the assertion leads a failure, where it helps most. */
function withNote(detail: string, passed: boolean, description: string | undefined): string {
  const note = description?.trim();
  return !passed && note ? `${note.replace(/[.:;]$/, "")}: ${detail}` : detail;
}

function check(type: AssertionType, assertion: Typed<AssertionType>, index: number, transcript: Transcript, context: GradeContext): Finding {
  switch (type) {
    case "equals":
      return checkEquals(assertion as Typed<"equals">, transcript.output);
    case "contains":
    case "icontains":
      return checkContains(assertion as Typed<"contains">, transcript.output, type === "icontains");
    case "regex":
      return checkRegex(assertion as Typed<"regex">, transcript.output);
    case "json-schema":
      return checkJsonSchema(assertion as Typed<"json-schema">, transcript.output);
    case "tool-called":
      return checkToolCalled(assertion as Typed<"tool-called">, transcript);
    case "tool-not-called":
      return negate(checkToolCalled(assertion as Typed<"tool-not-called">, transcript));
    case "tool-sequence":
      return checkToolSequence(assertion as Typed<"tool-sequence">, transcript);
    case "max-tool-calls":
      return checkMaxToolCalls(assertion as Typed<"max-tool-calls">, transcript);
    case "max-cost-usd": {
      const limit = (assertion as Typed<"max-cost-usd">).value;
      return checked(context.costUsd <= limit + EPSILON, `a cost of at most ${usd(limit)}`, `a cost above ${usd(limit)}`, `the trial cost ${usd(context.costUsd)}`);
    }
    case "max-latency-ms": {
      const limit = (assertion as Typed<"max-latency-ms">).value;
      return checked(transcript.latencyMs <= limit, `a run of at most ${ms(limit)}`, `a run longer than ${ms(limit)}`, `the run took ${ms(transcript.latencyMs)}`);
    }
    case "rubric":
      return checkRubric(assertion as Typed<"rubric">, index, context.judgements);
  }
}

function checked(holds: boolean, claim: string, negation: string, seen: string, score?: number): Finding {
  return { kind: "checked", holds, claim, negation, seen, ...(score === undefined ? {} : { score }) };
}

/** The same finding with its claim the other way round (`tool-not-called` is `tool-called` negated). */
function negate(finding: Finding): Finding {
  return finding.kind === "checked" ? { ...finding, holds: !finding.holds, claim: finding.negation, negation: finding.claim } : finding;
}

// Deterministic checks on the final output.

const EXCERPT = 160;

/** What the output was, briefly: a short quoted excerpt (first line breaks shown as ⏎). */
function outputSeen(output: string): string {
  if (output.trim() === "") return "the output is empty";
  return `the output is ${quote(clip(output.trim().replace(/\r?\n/g, " ⏎ "), EXCERPT))}`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function checkEquals(assertion: Typed<"equals">, output: string): Finding {
  const expected = assertion.value;
  if (typeof expected === "string") {
    const holds = output.trim() === expected.trim();
    return checked(holds, `the output ${quote(clip(expected.trim(), EXCERPT))}`, `an output other than ${quote(clip(expected.trim(), EXCERPT))}`, outputSeen(output));
  }
  const claim = `the JSON value ${showValue(expected)}`;
  const negation = `a JSON value other than ${showValue(expected)}`;
  const read = readJson(output);
  if (read.kind === "not-json") return checked(false, claim, negation, `the output is not JSON: ${read.reason}`);
  return checked(deepEqual(expected, read.value), claim, negation, `the output's JSON is ${showValue(read.value)}`);
}

function checkContains(assertion: Typed<"contains">, output: string, ignoreCase: boolean): Finding {
  const needle = assertion.value;
  const at = ignoreCase ? output.toLowerCase().indexOf(needle.toLowerCase()) : output.indexOf(needle);
  const how = ignoreCase ? " (ignoring case)" : "";
  const seen = at >= 0 ? `found at character ${at + 1}: ${quote(around(output, at, needle.length))}` : outputSeen(output);
  return checked(at >= 0, `an output containing ${quote(needle)}${how}`, `an output without ${quote(needle)}${how}`, seen);
}

/** The text around a match, so the author sees where it was. */
function around(text: string, at: number, length: number): string {
  const start = Math.max(0, at - 40);
  const end = Math.min(text.length, at + length + 40);
  return `${start > 0 ? "…" : ""}${text.slice(start, end).replace(/\r?\n/g, " ⏎ ")}${end < text.length ? "…" : ""}`;
}

function checkRegex(assertion: Typed<"regex">, output: string): Finding {
  const shown = `/${assertion.value}/${assertion.flags ?? ""}`;
  let pattern: RegExp;
  try {
    pattern = new RegExp(assertion.value, assertion.flags ?? "");
  } catch (error) {
    return { kind: "unchecked", detail: `the regular expression ${shown} does not compile (${(error as Error).message}); fix it in the suite.` };
  }
  const match = pattern.exec(output);
  const seen = match ? `it matched ${quote(clip(match[0], EXCERPT))} at character ${match.index + 1}` : outputSeen(output);
  return checked(match !== null, `an output matching ${shown}`, `an output not matching ${shown}`, seen);
}

// JSON Schema validators by schema object: a suite's schema is compiled once, not per trial.
const validators = new WeakMap<object, ValidateFunction | Error>();
let ajv2020: Ajv2020 | undefined;
let ajv07: Ajv | undefined;

/** A validator for a suite's schema: JSON Schema 2020-12, or draft-07 when its `$schema` says so. */
function validatorFor(schema: Record<string, JsonValue>): ValidateFunction | Error {
  const known = validators.get(schema);
  if (known) return known;
  let compiled: ValidateFunction | Error;
  try {
    const draft07 = typeof schema.$schema === "string" && /draft-0[467]/.test(schema.$schema);
    // `strict: false`: schemas written for other tools carry keywords ajv does not know (`example`…); they are ignored, not refused.
    const ajv = draft07 ? (ajv07 ??= withFormats(new Ajv({ strict: false, allErrors: true }))) : (ajv2020 ??= withFormats(new Ajv2020({ strict: false, allErrors: true })));
    compiled = ajv.compile(schema);
  } catch (error) {
    compiled = error as Error;
  }
  validators.set(schema, compiled);
  return compiled;
}

function withFormats<A extends Ajv>(ajv: A): A {
  // ajv-formats is CommonJS: its function is the module's default export's `default`.
  (addFormats as unknown as { default: (ajv: Ajv) => Ajv }).default(ajv);
  return ajv;
}

function checkJsonSchema(assertion: Typed<"json-schema">, output: string): Finding {
  const validate = validatorFor(assertion.value);
  if (validate instanceof Error) {
    return { kind: "unchecked", detail: `the JSON Schema in the suite does not compile (${validate.message}); fix it in the suite.` };
  }
  const claim = "JSON output that meets the schema";
  const negation = "output that does not meet the schema";
  const read = readJson(output);
  if (read.kind === "not-json") return checked(false, claim, negation, `the output is not JSON: ${read.reason}`);
  const holds = validate(read.value);
  const where = read.fenced ? "the output's ```json block" : "the output";
  if (holds) return checked(true, claim, negation, `${where} meets it`);
  const errors = (validate.errors ?? []).slice(0, 3).map((error) => `${error.instancePath || "(root)"} ${error.message ?? "is invalid"}`);
  const more = (validate.errors?.length ?? 0) > 3 ? ` and ${validate.errors!.length - 3} more` : "";
  return checked(false, claim, negation, `${where} does not: ${errors.join("; ")}${more}`);
}

// Trajectory checks on the tool calls.

type Call = Transcript["toolCalls"][number];

function keyOf(call: Call): string {
  return `${call.server}.${call.tool}`;
}

/**
 * Every call in order, e.g. `crm.get_account, crm.refund {amount: 900} (error)`; inputs are
 * shown for the calls of `inputsOf` (the tool an assertion is about), or for none.
 */
function callsSeen(calls: readonly Call[], inputsOf?: string): string {
  if (calls.length === 0) return "the agent made no tool calls";
  const MAX = 12;
  const shown = calls.slice(0, MAX).map((call) => {
    const input = keyOf(call) === inputsOf ? ` ${showValue(call.input, 80)}` : "";
    return `${keyOf(call)}${input === " {}" ? "" : input}${call.isError ? " (error)" : ""}`;
  });
  return `calls: ${shown.join(", ")}${calls.length > MAX ? `, and ${calls.length - MAX} more` : ""}`;
}

function checkToolCalled(assertion: Typed<"tool-called"> | Typed<"tool-not-called">, transcript: Transcript): Finding {
  const { tool, args } = assertion;
  const times = "times" in assertion ? assertion.times : undefined;
  const matching = transcript.toolCalls.filter((call) => keyOf(call) === tool && (args === undefined || matchesSubset(args, call.input))).length;
  const withArgs = args === undefined ? "" : ` with ${showValue(args)}`;
  const seen = callsSeen(transcript.toolCalls, tool);
  if (times === undefined) return checked(matching > 0, `a call to ${tool}${withArgs}`, `no call to ${tool}${withArgs}`, seen);
  const count = `${times} ${times === 1 ? "call" : "calls"}`;
  return checked(matching === times, `exactly ${count} to ${tool}${withArgs}`, `other than exactly ${count} to ${tool}${withArgs}`, `${matching} matched; ${seen}`);
}

function checkToolSequence(assertion: Typed<"tool-sequence">, transcript: Transcript): Finding {
  const keys = transcript.toolCalls.map(keyOf);
  const wanted = assertion.tools;
  const seen = callsSeen(transcript.toolCalls);
  if (assertion.strict) {
    const holds = keys.length === wanted.length && keys.every((key, i) => key === wanted[i]);
    return checked(holds, `exactly the calls ${wanted.join(" → ")}`, `calls other than exactly ${wanted.join(" → ")}`, seen);
  }
  let next = 0;
  for (const key of keys) if (key === wanted[next]) next += 1;
  const holds = next >= wanted.length;
  const progress = holds ? seen : `${seen} (found in order up to ${next === 0 ? "none of them" : wanted[next - 1]})`;
  return checked(holds, `calls to ${wanted.join(" → ")} in that order`, `no calls to ${wanted.join(" → ")} in that order`, progress);
}

function checkMaxToolCalls(assertion: Typed<"max-tool-calls">, transcript: Transcript): Finding {
  const counted = assertion.tool === undefined ? transcript.toolCalls : transcript.toolCalls.filter((call) => keyOf(call) === assertion.tool);
  const of = (n: number) => `${n} ${n === 1 ? "call" : "calls"}${assertion.tool === undefined ? "" : ` to ${assertion.tool}`}`;
  return checked(counted.length <= assertion.value, `at most ${of(assertion.value)}`, `more than ${of(assertion.value)}`, `${counted.length} made; ${callsSeen(transcript.toolCalls)}`);
}

// Model-graded.

function checkRubric(assertion: Typed<"rubric">, index: number, judgements: ReadonlyMap<number, Judgement>): Finding {
  const judgement = judgements.get(index);
  const rubric = quote(clip(assertion.value.trim(), 100));
  if (!judgement) return { kind: "unchecked", detail: `the rubric ${rubric} was not judged (no verdict from the judge for this trial), so it counts as failed.` };
  const reason = judgement.reason.trim() === "" ? "no reason given" : clip(judgement.reason.trim().replace(/\s+/g, " "), 300);
  const seen = `the judge ${judgement.pass ? "passed" : "failed"} it with score ${judgement.score.toFixed(2)}: ${reason.replace(/\.$/, "")}`;
  return checked(judgement.pass, `an answer that meets the rubric ${rubric}`, `an answer that does not meet the rubric ${rubric}`, seen, judgement.score);
}

function ms(value: number): string {
  return `${Math.round(value).toLocaleString("en")} ms`;
}
