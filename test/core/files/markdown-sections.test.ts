import { describe, expect, it } from "vitest";
import { applyOverlay, listHeadings, splitFrontmatter } from "../../../app/core/files/markdown-sections.ts";

const skill = "# Tone guide\n\nIntro.\n\n## Voice\n\nPlain.\n\n## Sign-offs\n\nThanks.\n";

describe("applyOverlay", () => {
  it("replaces sections of the same heading in place and appends the others", () => {
    expect(applyOverlay(skill, "## Voice\n\nOurs: warm and brief.\n\n## Ticket replies\n\nQuote the ticket id.\n")).toBe(
      "# Tone guide\n\nIntro.\n\n## Voice\n\nOurs: warm and brief.\n\n## Sign-offs\n\nThanks.\n\n## Ticket replies\n\nQuote the ticket id.\n",
    );
  });

  it("leaves the skill as it is for an overlay without sections", () => {
    expect(applyOverlay(skill, "Nothing here.\n")).toBe(skill);
  });
});

describe("listHeadings", () => {
  it("ignores `## ` lines inside fenced code and `###` subsections", () => {
    expect(listHeadings("## A\n```\n## not\n```\n### sub\n## B ##\n~~~\n## also not\n~~~\n")).toEqual(["A", "B"]);
  });
});

describe("splitFrontmatter", () => {
  it("splits frontmatter from the body and says where the body starts", () => {
    expect(splitFrontmatter("---\nname: x\n---\n# Body\n")).toEqual({ frontmatter: "name: x\n", body: "# Body\n", bodyLine: 4 });
  });

  it("treats a file without a closing fence as all body", () => {
    expect(splitFrontmatter("---\nname: x\n# Body\n").frontmatter).toBeNull();
  });
});
