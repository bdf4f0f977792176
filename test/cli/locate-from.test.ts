import path from "node:path";
import { describe, expect, it } from "vitest";
import { locateFrom } from "../../app/cli/load-org.ts";

/** What the command line showed before agent repos were located in bulk: two `path.relative` calls. */
function simple(cwd: string, location: { repo: string; path: string }): { repo: string; file: string } {
  return { repo: path.relative(cwd, location.repo) || ".", file: path.relative(cwd, path.join(location.repo, location.path)) || "." };
}

const cwds = ["/srv/org", "/srv/org/agents", "/srv/org/agents/support", "/", "/srv/org/", "/srv/./org/../org"];
const repos = [
  "/srv/org/agents/support",
  "/srv/org/agents/billing",
  "/srv/org/agents",
  "/srv/org",
  "/srv",
  "/",
  "/elsewhere/agents/support",
  "/srv/org/agents/support/",
  "/srv/org/../org/agents/support",
  "/srv/org/agents/./support",
  "/srv//org/agents/support",
  "/srv/org/agents/..",
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
