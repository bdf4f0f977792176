import path from "node:path";
import { describe, expect, it } from "vitest";
import { locateFrom } from "../../app/cli/load-org.ts";

/** What the command line showed before agent repos were located in bulk: two `path.relative` calls. */
function simple(cwd: string, location: { repo: string; path: string }): { repo: string; file: string } {
  return { repo: path.relative(cwd, location.repo) || ".", file: path.relative(cwd, path.join(location.repo, location.path)) || "." };
}

const cwds = ["/work/org", "/work/org/agents", "/work/org/agents/support", "/", "/work/org/", "/work/./org/../org"];
const repos = [
  "/work/org/agents/support",
  "/work/org/agents/billing",
  "/work/org/agents",
  "/work/org",
  "/work",
  "/",
  "/elsewhere/agents/support",
  "/work/org/agents/support/",
  "/work/org/../org/agents/support",
  "/work/org/agents/./support",
  "/work//org/agents/support",
  "/work/org/agents/..",
  "relative/agents/support",
];
const files = [".", "agent.yaml", "overlays/tone.md", "../outside.md", "/absolute/file.md"];

describe("locateFrom", () => {
  it.each(cwds)("shows every repo and file as path.relative does, from %s", (cwd) => {
    const locate = locateFrom(cwd);
    for (const repo of repos) {
      for (const file of files) {
        const shown = locate({ repo, path: file });
        expect({ repo: shown.repo, file: shown.file }, `${repo} + ${file}`).toEqual(simple(cwd, { repo, path: file }));
      }
    }
  });
});
