// JSON helpers shared by grading and the judge: comparing values, reading an answer as
// JSON, and showing a value in one short line a person can read.
import type { JsonValue } from "./model.ts";

/** Deep equality of JSON values: objects by their keys in any order, arrays in order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/**
 * Whether `actual` has everything `expected` names: every key of an expected object,
 * matched the same way, deeply; arrays element by element and of the same length;
 * anything else equal. `{amount: 950}` matches `{amount: 950, reason: "late"}`.
 */
export function matchesSubset(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => matchesSubset(item, actual[i]));
  }
  if (isObject(expected)) {
    return isObject(actual) && Object.keys(expected).every((key) => Object.hasOwn(actual, key) && matchesSubset(expected[key], actual[key]));
  }
  return deepEqual(expected, actual);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The result of reading a final answer as JSON. */
export type JsonRead = { readonly kind: "ok"; readonly value: JsonValue; readonly fenced: boolean } | { readonly kind: "not-json"; readonly reason: string };

/**
 * Reads an answer as JSON: the whole text (trimmed), or else the first ```json fenced
 * block in it (models often wrap JSON in one, with a sentence around it).
 */
export function readJson(text: string): JsonRead {
  const whole = tryParse(text.trim());
  if (whole.ok) return { kind: "ok", value: whole.value, fenced: false };
  const fence = /(^|\n)[ \t]*(`{3,}|~{3,})[ \t]*json[^\n]*\n([\s\S]*?)\n[ \t]*\2[ \t]*(?=\n|$)/i.exec(text);
  if (fence) {
    const block = tryParse(fence[3]!.trim());
    if (block.ok) return { kind: "ok", value: block.value, fenced: true };
    return { kind: "not-json", reason: `its \`\`\`json block is not valid JSON (${block.reason})` };
  }
  return { kind: "not-json", reason: text.trim() === "" ? "it is empty" : `it is not valid JSON (${whole.reason}) and holds no \`\`\`json block` };
}

function tryParse(text: string): { ok: true; value: JsonValue } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * A JSON value in one line, as a person writes it: `{amount: 950, reason: "late"}`
 * (keys bare where they can be), cut with `…` after `max` characters.
 */
export function showValue(value: unknown, max = 120): string {
  return clip(show(value), max);
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key)}: ${show(item)}`)
      .join(", ")}}`;
  }
  return value === undefined ? "undefined" : JSON.stringify(value);
}

/** Cuts text to `max` characters with `…`, never inside a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end -= 1;
  return `${text.slice(0, end)}…`;
}
