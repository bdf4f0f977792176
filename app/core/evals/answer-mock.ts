import { matchesSubset } from "./json-value.ts";
import type { JsonValue, MockRule } from "./model.ts";

/** What a mocked tool call returns: `output` is text or JSON as the rule wrote it. */
export interface MockAnswer {
  readonly output: JsonValue;
  readonly isError: boolean;
}

/**
 * Answers a tool call from a case's mock rules: the first rule whose `when` is a deep subset
 * of the input (a rule without `when` matches anything) answers with its `returns`, or fails
 * with its `error`. Null when no rule matches.
 */
export function answerMock(rules: readonly MockRule[], input: unknown): MockAnswer | null {
  const rule = rules.find((candidate) => candidate.when === undefined || matchesSubset(candidate.when, input));
  if (!rule) return null;
  if (rule.error !== undefined) return { output: rule.error, isError: true };
  return { output: rule.returns ?? null, isError: false };
}


/** The text a tool result shows the model: text as is, anything else as JSON. */
export function toolResultText(output: JsonValue): string {
  return typeof output === "string" ? output : JSON.stringify(output);
}
