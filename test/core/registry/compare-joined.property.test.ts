import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byText } from "../../../app/core/by-text.ts";
import { compareJoined } from "../../../app/core/registry/compute-blast-radius.ts";

// Paths with the same number of steps are ordered by their joined text; the comparison
// that avoids building the text must order them the same, prefixes and commas included.
describe("compareJoined", () => {
  const name = fc.stringMatching(/^[a-c+,.:-]{0,4}$/);
  it("orders two paths of the same length as their joined texts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }).chain((length) => fc.tuple(fc.array(name, { minLength: length, maxLength: length }), fc.array(name, { minLength: length, maxLength: length }))), ([a, b]) => {
        expect(Math.sign(compareJoined(a, b))).toBe(byText(a.join(), b.join()));
      }),
      { numRuns: 2000 },
    );
  });

  it("orders a name before a longer name it starts, as the joined texts do", () => {
    expect(compareJoined(["skill:a", "x"], ["skill:a-b", "x"])).toBe(byText("skill:a,x", "skill:a-b,x"));
    expect(compareJoined(["skill:a", "x"], ["skill:a+b", "x"])).toBe(byText("skill:a,x", "skill:a+b,x"));
    expect(compareJoined(["x", "skill:a"], ["x", "skill:ab"])).toBe(-1);
  });
});
