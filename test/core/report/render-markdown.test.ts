import { describe, expect, it } from "vitest";
import { COMMENT_LIMIT, renderMarkdown } from "../../../app/core/report/render-markdown.ts";
import { renderText } from "../../../app/core/report/render-text.ts";
import type { LocatedAffectedReport as AffectedReport } from "../../../schemas/affected-report.schema.ts";

const tiers = ["production", "staging", "experimental"] as const;

/** A report with `count` affected agents spread over `teams` teams, all moved by one skill change. */
function report(count: number, teams: number, problems = 0): AffectedReport {
  const affected = Array.from({ length: count }, (_, i) => ({
    agent: `agent-${String(i).padStart(5, "0")}`,
    team: `team-${i % teams}`,
    tier: tiers[i % 3]!,
    repo: `agents/agent-${i}`,
    paths: [["skill:onboarding", "skill:escalation-rules"], ["skill:escalation-rules"]],
    moves: [{ asset: "skill:escalation-rules", from: "1.2.1", to: "1.3.0", contentChanged: true }],
    status: { base: "ok" as const, head: "ok" as const },
  }));
  return {
    schemaVersion: 1,
    base: "main",
    head: "feature",
    summary: { changes: 1, affected: count, unaffected: 0, agents: count, refused: 0, errors: problems, warnings: 0 },
    changes: [{ asset: "skill:escalation-rules", from: "1.2.1", to: "1.3.0", bump: "minor", flags: [], details: [], scopesAdded: [], consumers: count, gainedBy: [] }],
    affected,
    unaffected: [],
    problems: Array.from({ length: problems }, (_, i) => ({ level: "error" as const, code: "schema", repo: `agents/a${i}`, path: "agent.yaml", file: `agents/a${i}/agent.yaml`, line: 3, message: "expected `tier` to be one of production, staging, experimental; got `prod`" })),
  };
}

describe("renderMarkdown", () => {
  it("draws one node per agent for a small radius", () => {
    const body = renderMarkdown(report(3, 2));
    expect(body).toContain('n0["agent-00000"]:::agent');
    expect(body).toContain("<summary>Blast radius graph</summary>");
  });

  it("groups the graph by team once there are more agents than fit", () => {
    const body = renderMarkdown(report(120, 6));
    expect(body).toContain("<summary>Blast radius graph (grouped by team: 120 agents)</summary>");
    expect(body).toContain('["team team-0: 20 agents"]:::agent');
    expect(body).not.toContain('["agent-00000"]');
  });

  it("groups the graph by tier when there are too many teams too", () => {
    const body = renderMarkdown(report(500, 100));
    expect(body).toContain("<summary>Blast radius graph (grouped by tier: 500 agents)</summary>");
    expect(body).toContain('["production: 167 agents"]:::agent');
  });

  it.each([1_000, 10_000])("stays within GitHub's comment limit with %i affected agents and many problems", (count) => {
    const body = renderMarkdown(report(count, 200, 500));
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toMatch(/\| …and \d+ more \| \| \| \|/);
    expect(body).toMatch(/- …and \d+ more/);
    expect(body.startsWith("<!-- blastgate:affected -->\n### blastgate: ")).toBe(true);
  });

  it("treats text from files as data: no HTML, no mentions, no broken tables", () => {
    const hostile = report(1, 1, 1);
    hostile.problems[0]!.message = "got `<img src=x onerror=alert(1)>` from @octocat | x";
    hostile.affected[0]!.team = "a|b<script>";
    const body = renderMarkdown(hostile);
    expect(body).toContain("got `<img src=x onerror=alert(1)>` from @\u200boctocat | x");
    expect(body).toContain("| a\\|b&lt;script&gt; |");
    expect(body).not.toMatch(/<img[^`]*$/m);
    expect(body).not.toContain("<script>");
  });

  it("shows hostile names, versions, ranges and messages literally in code spans and escaped outside them", () => {
    const hostile = report(1, 1, 0);
    hostile.base = "main`<b>";
    hostile.head = "@org/team\nsecond line";
    hostile.affected[0]!.team = "@org/team *bold* [x](http://e) <b>";
    hostile.unaffected = [{ agent: "held", team: "t", tier: "staging", asset: "skill:escalation-rules", version: "1.2.1-`rc`|x", range: ">=1.0.0 <1.3.0 || ^0.9.0", reason: "held" }];
    hostile.summary.unaffected = 1;
    hostile.summary.errors = 3;
    hostile.changes[0]!.details = ["section `## <b>Voice</b>` removed; ask @org/team"];
    hostile.problems = [
      { level: "error", code: "schema", repo: "agents/x", path: "agent.yaml", file: "agents/x/agent.yaml", line: 3, ref: "skills/x@1.0.0", agent: "x", message: "expected `tier` to be one of production; got ``a`b``" },
      { level: "error", code: "schema", repo: "agents/x", path: "agent.yaml", file: "agents/x/agent.yaml", line: 4, message: "range `>=1.0.0 <2` from agents/x@y, see @octocat; a stray ` stays <i>text</i>" },
      { level: "error", code: "schema", repo: "agents/x", path: "agent.yaml", file: "agents/x/agent.yaml", line: 5, message: "got `line one\nline two` and `@team`\n# not a heading" },
    ];
    const lines = renderMarkdown(hostile, { command: "blastgate affected --head 'a`b'" }).split("\n");
    // The zero-width space that keeps a mention from pinging is invisible; show it.
    const pick = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).map((line) => line.replace(/\u200b/g, "{zwsp}"));
    expect(pick(/ — |^- `skill|^\| `|^- ❌|Reproduce/)).toMatchInlineSnapshot(`
      [
        "**1 affected agent** (1 production) · 1 pinned out · 1 agent read · ❌ 3 errors, 0 warnings — \`\`main\`<b>\`\` → \`@org/team second line\`",
        "| \`skill:escalation-rules\` | \`1.2.1\` → \`1.3.0\` | minor | — | 1 |",
        "- \`skill:escalation-rules\`: section \`## <b>Voice</b>\` removed; ask @{zwsp}org/team",
        "| \`agent-00000\` | @{zwsp}org/team \\*bold\\* \\[x\\](http://e) &lt;b&gt; | \`skill:escalation-rules\` \`1.2.1\` → \`1.3.0\` | \`skill:onboarding\` → \`skill:escalation-rules\`<br>\`skill:escalation-rules\` |",
        "| \`held\` | staging | \`skill:escalation-rules\` | \`\`1.2.1-\`rc\`\\|x\`\` | \`>=1.0.0 <1.3.0 \\|\\| ^0.9.0\` |",
        "- ❌ \`agents/x/agent.yaml:3 @ skills/x@1.0.0\` (x): expected \`tier\` to be one of production; got \`\`a\`b\`\`",
        "- ❌ \`agents/x/agent.yaml:4\`: range \`>=1.0.0 <2\` from agents/x@y, see @{zwsp}octocat; a stray \\\` stays &lt;i&gt;text&lt;/i&gt;",
        "- ❌ \`agents/x/agent.yaml:5\`: got \`line one line two\` and \`@team\` # not a heading",
        "<sub>Reproduce locally: \`\`blastgate affected --head 'a\`b'\`\`</sub>",
      ]
    `);
  });
});

describe("renderText", () => {
  it("lists changes, affected agents by tier with moves and paths, and problems", () => {
    expect(renderText(report(2, 1, 1))).toMatchInlineSnapshot(`
      "blastgate: 1 change, 2 agents affected, 0 pinned out, 1 error, 0 warnings (main → feature, 2 agents read)

      Changes
        skill:escalation-rules  1.2.1 → 1.3.0  minor  (2 consumers)

      Affected
        production
          agent-00000 (team-0)
            skill:escalation-rules  1.2.1 → 1.3.0
            via skill:onboarding → skill:escalation-rules
            via skill:escalation-rules
        staging
          agent-00001 (team-0)
            skill:escalation-rules  1.2.1 → 1.3.0
            via skill:onboarding → skill:escalation-rules
            via skill:escalation-rules

      Problems
        agents/a0/agent.yaml:3: error: expected \`tier\` to be one of production, staging, experimental; got \`prod\`
      "
    `);
  });
});
