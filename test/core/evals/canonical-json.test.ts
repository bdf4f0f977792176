import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../app/core/evals/canonical-json.ts";

/** The same value with every object's keys in the reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reversed(inner)]));
}

describe("canonicalJson", () => {
  it("writes keys sorted at every depth, compact or indented", () => {
    const value = { b: 1, a: { d: [{ z: true, y: null }], c: "x" } };
    expect(canonicalJson(value)).toBe('{"a":{"c":"x","d":[{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson(value, 2)).toBe('{\n  "a": {\n    "c": "x",\n    "d": [\n      {\n        "y": null,\n        "z": true\n      }\n    ]\n  },\n  "b": 1\n}');
  });

  it("sorts keys that look like numbers as text, where JSON.stringify would put them first in numeric order", () => {
    expect(canonicalJson({ b: 0, "10": 1, "9": 2 })).toBe('{"10":1,"9":2,"b":0}');
  });

  it("gives the same text whatever order the keys were built in, and what JSON.parse reads back is the value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(reversed(value))).toBe(text);
        expect(canonicalJson(JSON.parse(text), 2)).toBe(canonicalJson(value, 2));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("leaves out undefined properties as JSON does, so a field left out and one set to undefined read the same", () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson([undefined, 1])).toBe("[null,1]");
  });

  it("keeps an own __proto__ key as data", () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it.each([
    [{ a: Number.NaN }, "$.a is NaN"],
    [[1, Number.POSITIVE_INFINITY], "$[1] is Infinity"],
    [{ a: { b: 1n } }, "$.a.b is a bigint"],
    [{ f: () => 1 }, "$.f is a function"],
  ])("refuses what JSON cannot hold rather than writing something else: %#", (value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it("refuses undefined at the top", () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
});
