import { describe, expect, it } from "vitest";
import { buildAgentFacts, parseAgentRepo } from "../../../app/core/registry/build-agent.ts";
import { formatProblem } from "../../../app/core/report/render-text.ts";

const manifest = "name: solo\nteam: cx\ntier: staging\nskills:\n  tone-guide:\n    version: ^1.0.0\n    overlay: overlays/tone.md\n";

describe("buildAgentFacts", () => {
  it("refuses an overlay over the size cap even from a reader that hands over its text, and counts it", () => {
    const { draft } = parseAgentRepo("agents/solo", { kind: "text", text: manifest, id: "m" });
    const huge = `## Voice\n\n${"x".repeat(1024 * 1024)}\n`;
    const built = buildAgentFacts(draft!, new Map([["overlays/tone.md", { kind: "text", text: huge, id: "o" }]]));
    expect([built.problems.map(formatProblem), built.refused, built.agent.overlays.size]).toEqual([
      ["overlays/tone.md:1: error: is 1,048,587 bytes, over the 1,048,576-byte limit for a skill overlay, so it was not read; a skill overlay should be a small text file [solo]"],
      1,
      0,
    ]);
  });

  it("uses an overlay within the cap and refuses nothing", () => {
    const { draft } = parseAgentRepo("agents/solo", { kind: "text", text: manifest, id: "m" });
    const built = buildAgentFacts(draft!, new Map([["overlays/tone.md", { kind: "text", text: "## Voice\n\nOurs.\n", id: "o" }]]));
    expect([built.problems, built.refused, [...built.agent.overlays.keys()]]).toEqual([[], 0, ["tone-guide"]]);
  });
});
