import { describe, expect, it } from "vitest";
import { renderText } from "../../../app/core/report/render-text.ts";
import type { LocatedAffectedReport as AffectedReport } from "../../../schemas/affected-report.schema.ts";


/** One change that moves one agent, which gains one scope. */
const report: AffectedReport = {
  schemaVersion: 1,
  base: "main",
  head: "feature",
  summary: { changes: 1, affected: 1, unaffected: 0, agents: 1, refused: 1, errors: 1, warnings: 1 },
  changes: [{ asset: "server:crm", from: "2.1.0", to: "2.2.0", bump: "minor", flags: ["scopes-added"], details: [], scopesAdded: ["crm.cases:delete"], consumers: 1, gainedBy: ["triage"] }],
  affected: [{ agent: "triage", team: "support", tier: "production", repo: "agents/triage", paths: [["server:crm"]], moves: [{ asset: "server:crm", from: "2.1.0", to: "2.2.0", contentChanged: true }], status: { base: "ok", head: "ok" } }],
  unaffected: [],
  problems: [
    { level: "error", code: "schema", repo: "agents/triage", path: "agent.yaml", file: "agents/triage/agent.yaml", line: 3, message: "expected `tier` to be one of production, staging, experimental; got `prod`" },
    { level: "warning", code: "model-deprecated", repo: "agents/triage", path: "agent.yaml", file: "agents/triage/agent.yaml", line: 4, message: "uses a deprecated model" },
  ],
};

describe("renderText", () => {
  it("counts in the singular when there is one of each", () => {
    expect(renderText(report)).toMatchInlineSnapshot(`
      "blastgate: 1 change, 1 agent affected, 0 pinned out, 1 error, 1 warning (main → feature, 1 agent read, 1 file refused)

      Changes
        server:crm  2.1.0 → 2.2.0  minor  [scopes-added]  (1 consumer)
            1 agent gains crm.cases:delete: triage

      Affected
        production
          triage (support)
            server:crm  2.1.0 → 2.2.0
            via server:crm

      Problems
        agents/triage/agent.yaml:3: error: expected \`tier\` to be one of production, staging, experimental; got \`prod\`
        agents/triage/agent.yaml:4: warning: uses a deprecated model
      "
    `);
  });
});
