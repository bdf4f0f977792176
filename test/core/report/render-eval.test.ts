import { describe, expect, it } from "vitest";
import { sizeOf } from "../../../app/core/files/size-limit.ts";
import { renderEvalMarkdown, STEP_SUMMARY_LIMIT } from "../../../app/core/report/render-eval-markdown.ts";
import { renderEvalText } from "../../../app/core/report/render-eval-text.ts";
import { evalResultsSchema } from "../../../schemas/eval-results.schema.ts";
import { errored, failing, passing, resultsWith, trialsOf } from "../evals/results-fixtures.ts";

/** One failing trial (with markdown, HTML and a backtick in its output), one errored, one from the cache; the run stopped by budget. */
function partialRun() {
  const run = trialsOf({ "refund-950": [passing, failing, errored] });
  const cached = trialsOf({ "no-refund-fraud": [passing] }, { cached: true });
  return resultsWith({
    trials: [...run.trials, ...cached.trials],
    transcripts: { ...run.transcripts, ...cached.transcripts },
    complete: false,
    stoppedBy: "budget",
    estimatedCostUsd: 0.05,
  });
}

describe("renderEvalMarkdown", () => {
  it("renders the verdict, what ran, the cases, each failure with an escaped excerpt, usage and a partial-run banner", () => {
    const results = partialRun();
    expect(evalResultsSchema.safeParse(results).error).toBeUndefined();
    expect(renderEvalMarkdown(results)).toMatchInlineSnapshot(`
      "### blastgate eval: refund-bot failed

      **Verdict: fail.**

      - Pass rate 50% (2 of 4 trials) is below the required 90% (.github/blastgate.yml: tiers.production.minPassRate)
      - Partial: stopped by budget after 4 of 6 trials
      - 1 of 4 trials errored and count as failed

      Agent \`refund-bot\` (team support, production) · variant \`head\` at \`refs/pull/42/head\` · model \`claude-sonnet-5-5\` · builtin runner · suite \`evals\` (2 cases)

      > [!WARNING]
      > **Partial run:** stopped by budget before every planned trial ran; the counts and rates below cover only the 4 trials that ran, in 2 of the suite's 2 cases.

      #### Cases (2 of 4 trials passed, 50%)

      | Case | Tags | Passed | Pass rate |
      | --- | --- | ---: | ---: |
      | \`refund-950\` | \`refunds\` | 1/3 (1 errored) | 33.3% |
      | \`no-refund-fraud\` | \`negative\` | 1/1 | 100% |

      #### Failures (2)

      **\`refund-950\`** trial 1: failed, score 0.00 (\`evals/refunds.yaml:3\`)

      - \`tool-called\`: expected a call to crm.refund with {amount: 950}; calls: crm.get\\_account, crm.refund {amount: 900}.

      <details><summary>Output</summary>

      \`\`\`text
      I have refunded $900 <b>now</b> — see \`ticket\`.
      \`\`\`

      </details>

      **\`refund-950\`** trial 2: errored (\`evals/refunds.yaml:3\`)

      - Messages API returned 529 overloaded three times

      #### Usage and cost

      | Requests | Input tokens | Output tokens | Cache writes | Cache reads | Cost |
      | ---: | ---: | ---: | ---: | ---: | ---: |
      | 3 | 3,000 | 600 | 0 | 0 | $0.012 |

      Cost $0.012 (estimated $0.05 before the run); 1 trial served from the cache cost nothing this run. Trial time: median 1,000 ms, 95th percentile 3,000 ms, 7,000 ms in all.
      "
    `);
  });

  it("says a passing run passed in one line, with no failures section", () => {
    const markdown = renderEvalMarkdown(resultsWith(trialsOf({ "refund-950": [passing, passing, passing], "no-refund-fraud": [passing, passing, passing] })));
    expect(markdown.split("\n").slice(0, 3).join("\n")).toMatchInlineSnapshot(`
      "### blastgate eval: refund-bot passed

      **Verdict: pass.** Pass rate 100% (6 of 6 trials) meets the required 90% (.github/blastgate.yml: tiers.production.minPassRate)"
    `);
    expect(markdown).not.toContain("Failures");
    expect(markdown).not.toContain("Partial run");
  });

  it("sheds detail, then cuts with a note, to stay under the limit in bytes", () => {
    const long = "é".repeat(5000);
    const grades = Array.from({ length: 300 }, () => failing);
    const results = resultsWith(trialsOf({ "refund-950": grades }, { run: { output: long } }));
    const full = renderEvalMarkdown(results, { limit: STEP_SUMMARY_LIMIT });
    expect(sizeOf(full)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
    expect(full).toContain("…and 100 more failing trials");

    const small = renderEvalMarkdown(results, { limit: 4000 });
    expect(sizeOf(small)).toBeLessThanOrEqual(4000);
    expect(small).toMatch(/_…cut to fit GitHub's job summary limit; the results JSON has every case, trial and transcript\._\n$/);
  });

  it("marks a case that asserts nothing", () => {
    const results = resultsWith(trialsOf({ "refund-950": [{ status: "passed", score: 1, assertions: [] }] }));
    expect(renderEvalMarkdown(results)).toContain("| `refund-950` (asserts nothing) |");
  });
});

describe("renderEvalText", () => {
  it("renders the same facts for a terminal", () => {
    expect(renderEvalText(partialRun())).toMatchInlineSnapshot(`
      "blastgate eval: refund-bot FAIL — 2 of 4 trials passed (50%), required 90%
        refund-bot (support, production) · head at refs/pull/42/head · claude-sonnet-5-5 · builtin runner · evals (2 cases)
        PARTIAL: stopped by budget before every planned trial ran; counts cover only the 4 trials that ran
        - pass rate 50% (2 of 4 trials) is below the required 90% (.github/blastgate.yml: tiers.production.minPassRate)
        - partial: stopped by budget after 4 of 6 trials
        - 1 of 4 trials errored and count as failed

      Cases
        refund-950         1/3   33.3%  (1 errored)  [refunds]
        no-refund-fraud    1/1    100%  [negative]

      Failures
        refund-950 trial 1: failed, score 0.00 (evals/refunds.yaml:3)
          tool-called: expected a call to crm.refund with {amount: 950}; calls: crm.get_account, crm.refund {amount: 900}.
          output: "I have refunded $900 <b>now</b> — see \`ticket\`."
        refund-950 trial 2: errored (evals/refunds.yaml:3): Messages API returned 529 overloaded three times

      Usage: 3 requests, 3,000 input, 600 output, 0 cache-write, 0 cache-read tokens; cost $0.012 (estimated $0.05)
      Trial time: median 1000 ms, p95 3000 ms, total 7000 ms
      "
    `);
  });

  it("keeps control characters from a run out of the terminal", () => {
    const results = resultsWith(trialsOf({ "refund-950": [{ ...failing, assertions: [{ ...failing.assertions[0]!, detail: "expected x; saw \u001b[2Jcleared" }] }] }));
    expect(renderEvalText(results)).toContain("saw \ufffd[2Jcleared");
  });
});
