import { describe, expect, it } from "vitest";
import { unsupportedNode } from "../../app/cli/node-version.ts";

describe("unsupportedNode", () => {
  it.each(["24.0.0", "24.21.0", "25.1.0", "100.0.0"])("lets Node %s run", (version) => {
    expect(unsupportedNode(version, "/home/me/project/node_modules/.bin/blastgate", "/home/me/project")).toBeNull();
  });

  it.each(["20.20.2", "22.12.0", "23.11.1", "18.0.0"])("says in one line that Node %s is too old, and how to run it on Node 24", (version) => {
    expect(unsupportedNode(version, "/home/me/project/node_modules/.bin/blastgate", "/home/me/project")).toBe(
      `needs Node 24 or newer (this is Node ${version}); install Node 24, or run it with \`npx -y node@24 node_modules/.bin/blastgate …\``,
    );
  });

  it("shows the command's full path when it is outside the working directory", () => {
    expect(unsupportedNode("20.1.0", "/usr/lib/node_modules/blastgate/dist/cli.js", "/home/me/project")).toBe(
      "needs Node 24 or newer (this is Node 20.1.0); install Node 24, or run it with `npx -y node@24 /usr/lib/node_modules/blastgate/dist/cli.js …`",
    );
  });
});
