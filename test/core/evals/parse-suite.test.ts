import { describe, expect, it } from "vitest";
import { checkSuiteTools, findSuiteSettingLine, parseSuite, suiteContent, type SuiteFile } from "../../../app/core/evals/parse-suite.ts";
import type { AgentTool } from "../../../app/core/evals/model.ts";
import { formatProblem } from "../../../app/core/report/render-text.ts";

/** A stand-in digest: the hash is a parameter, so the test sees exactly what is hashed. */
const hash = (text: string) => `h(${text.length})`;
const options = { repo: "agents/refunds", suitePath: "evals", defaultTrials: 3, hash };

function parse(files: Record<string, string>, extra: Partial<Parameters<typeof parseSuite>[1]> = {}) {
  const list: SuiteFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  const result = parseSuite(list, { ...options, ...extra });
  return { ...result, messages: result.problems.map(formatProblem) };
}

const withDefaults = `defaults:
  trials: 2
  threshold: 0.75
  tags: [billing]
  mocks:
    billing.get_invoice:
      returns: {status: paid, amount_minor: 4900}
    billing.get_subscription:
      returns: {plan: team}
  assert:
    - type: not-contains
      value: guarantee
cases:
  - id: refund-49
    input: Please refund invoice in_0000000001.
    tags: [billing, negative]
    mocks:
      billing.get_invoice:
        when: {invoice_id: in_0000000001}
        returns: {status: void}
    assert:
      - type: tool-not-called
        tool: billing.issue_refund
      - type: contains
        value: void
        weight: 2
  - id: plain
    input: Hello
    trials: 7
    threshold: 0.5
`;

describe("parseSuite", () => {
  it("merges a file's defaults into each case: trials, threshold, tags, mocks by tool and assertions, defaults first", () => {
    const { suite, problems } = parse({ "evals/billing.yaml": withDefaults });
    expect(problems).toEqual([]);
    const [refund, plain] = suite!.cases;
    expect(refund).toEqual({
      id: "refund-49",
      file: "evals/billing.yaml",
      line: 14,
      input: "Please refund invoice in_0000000001.",
      tags: ["billing", "negative"],
      trials: 2,
      threshold: 0.75,
      mocks: {
        // The case's rule replaces the defaults' for the same tool, as a list of one.
        "billing.get_invoice": [{ when: { invoice_id: "in_0000000001" }, returns: { status: "void" } }],
        "billing.get_subscription": [{ returns: { plan: "team" } }],
      },
      mockLines: { "billing.get_invoice": 18, "billing.get_subscription": 8 },
      assertions: [
        { assertion: { type: "not-contains", value: "guarantee", weight: 1 }, index: 0, line: 11 },
        { assertion: { type: "tool-not-called", tool: "billing.issue_refund", weight: 1 }, index: 1, line: 22 },
        { assertion: { type: "contains", value: "void", weight: 2 }, index: 2, line: 24 },
      ],
    });
    expect([plain!.trials, plain!.threshold, plain!.tags, plain!.mocks["billing.get_invoice"], plain!.assertions.map((a) => a.line)]).toEqual([
      7,
      0.5,
      ["billing"],
      [{ returns: { status: "paid", amount_minor: 4900 } }],
      [11],
    ]);
  });

  it("falls back to agent.yaml's trials and a threshold of 1 when neither the case nor its file sets them", () => {
    const { suite } = parse({ "evals/a.yaml": "cases:\n  - id: one\n    input: hi\n" }, { defaultTrials: 5 });
    expect([suite!.cases[0]!.trials, suite!.cases[0]!.threshold, suite!.cases[0]!.tags]).toEqual([5, 1, []]);
  });

  it("reads the files in path order, ignores a README beside them, and hashes only the YAML", () => {
    const files = {
      "evals/z.yml": "cases:\n  - id: z\n    input: hi\n",
      "evals/README.md": "# not a suite",
      "evals/a.yaml": "judge: {model: claude-haiku-4-5}\nservers:\n  crm: {url: 'https://crm.example/mcp'}\ncases:\n  - id: a\n    input: hi\n",
    };
    const { suite } = parse(files);
    expect(suite!.cases.map((c) => `${c.file}:${c.id}`)).toEqual(["evals/a.yaml:a", "evals/z.yml:z"]);
    expect([suite!.path, suite!.judgeModel, suite!.servers]).toEqual(["evals", "claude-haiku-4-5", { crm: { url: "https://crm.example/mcp" } }]);
    const yaml = [{ path: "evals/z.yml", text: files["evals/z.yml"] }, { path: "evals/a.yaml", text: files["evals/a.yaml"] }];
    expect(suite!.hash).toBe(hash(suiteContent(yaml)));
    // The same files in another order are the same content; another text is not.
    expect(suiteContent(yaml)).toBe(suiteContent([...yaml].reverse()));
    expect(suiteContent(yaml)).not.toBe(suiteContent([yaml[0]!, { ...yaml[1]!, text: `${yaml[1]!.text} ` }]));
  });

  it("reports a folder without YAML at agent.yaml's `evals.suite` line, naming what it holds and how to add a suite", () => {
    const { suite, messages } = parse({ "evals/README.md": "# evals" }, { setting: { path: "agent.yaml", line: 14 }, agent: "refunds" });
    expect(suite).toBeNull();
    expect(messages).toEqual([
      "agent.yaml:14: error: has no eval suite: `evals.suite` is `evals`, and that folder has no YAML files (it holds `README.md`, but no .yaml or .yml file). Add one, such as `evals/cases.yaml` with `cases: [{id, input, assert}]`, or point `evals.suite` at the folder that holds them [refunds]",
    ]);
    expect(parse({}).messages).toEqual([
      "agent.yaml:1: error: has no eval suite: `evals.suite` is `evals`, and that folder has no YAML files. Add one, such as `evals/cases.yaml` with `cases: [{id, input, assert}]`, or point `evals.suite` at the folder that holds them",
    ]);
  });

  it("reports a repeated case id at the second one's line, naming the first's file and line, across files and within one", () => {
    const { suite, messages } = parse({
      "evals/a.yaml": "cases:\n  - id: refund-950\n    input: hi\n  - id: other\n    input: hi\n  - id: other\n    input: again\n",
      "evals/b.yaml": "# more refunds\ncases:\n  - id: refund-950\n    input: hi\n",
    });
    expect(suite).toBeNull();
    expect(messages).toEqual([
      "evals/a.yaml:6: error: repeats the case id `other` of evals/a.yaml:4; case ids are unique in a suite (results pair trials by them), so rename one",
      "evals/b.yaml:3: error: repeats the case id `refund-950` of evals/a.yaml:2; case ids are unique in a suite (results pair trials by them), so rename one",
    ]);
  });

  it.each([
    ["an unterminated group", "value: \"refund (full\"", "evals/a.yaml:6: error: `cases[0].assert[0].value` is not a regular expression JavaScript can compile: Unterminated group. Escape special characters such as `(`, `[` or `\\` with a backslash"],
    ["a lone bracket", "value: \"[0-9\"", "evals/a.yaml:6: error: `cases[0].assert[0].value` is not a regular expression JavaScript can compile: Unterminated character class. Escape special characters such as `(`, `[` or `\\` with a backslash"],
    ["flags that cannot go together", "value: \"ok\"\n        flags: uv", "evals/a.yaml:6: error: `cases[0].assert[0].value` is not a regular expression JavaScript can compile: the flags `uv` are invalid (each at most once; `u` and `v` not together). Escape special characters such as `(`, `[` or `\\` with a backslash"],
  ])("reports a regex assertion that does not compile (%s) at its value's line", (_, value, message) => {
    const text = `cases:\n  - id: one\n    input: hi\n    assert:\n      - type: not-regex\n        ${value}\n`;
    const { suite, messages } = parse({ "evals/a.yaml": text });
    expect([suite, messages]).toEqual([null, [message]]);
  });

  it("reports a bad regex in the defaults once, where it is written", () => {
    const text = "defaults:\n  assert:\n    - type: regex\n      value: \"(\"\ncases:\n  - id: one\n    input: hi\n  - id: two\n    input: hi\n";
    expect(parse({ "evals/a.yaml": text }).messages).toEqual([
      "evals/a.yaml:4: error: `defaults.assert[0].value` is not a regular expression JavaScript can compile: Unterminated group. Escape special characters such as `(`, `[` or `\\` with a backslash",
    ]);
  });

  it("reports live servers defined differently in two files, and accepts the same definition twice", () => {
    const a = "servers:\n  crm:\n    url: https://crm.example/mcp\ncases:\n  - id: a\n    input: hi\n";
    const same = "servers:\n  crm: {url: 'https://crm.example/mcp'}\ncases:\n  - id: b\n    input: hi\n";
    const other = "cases:\n  - id: c\n    input: hi\nservers:\n  crm:\n    command: [node, crm-fake.js]\n";
    expect(parse({ "evals/a.yaml": a, "evals/b.yaml": same }).problems).toEqual([]);
    expect(parse({ "evals/a.yaml": a, "evals/c.yaml": other }).messages).toEqual([
      "evals/c.yaml:5: error: defines the live server `crm` differently from evals/a.yaml:2; keep one definition, or make them the same",
    ]);
  });

  it("reports two judge models in one suite", () => {
    const { messages } = parse({
      "evals/a.yaml": "judge:\n  model: claude-haiku-4-5\ncases:\n  - id: a\n    input: hi\n",
      "evals/b.yaml": "judge:\n  model: claude-opus-5-5\ncases:\n  - id: b\n    input: hi\n",
    });
    expect(messages).toEqual([
      "evals/b.yaml:2: error: sets the judge model `claude-opus-5-5`, but evals/a.yaml:2 sets `claude-haiku-4-5`; a suite has one judge, so set it in one file",
    ]);
  });

  it("passes on each file's schema problems with file and line, and still checks the other files", () => {
    const { suite, messages } = parse({
      "evals/a.yaml": "cases:\n  - id: one\n    input: hi\n    asert: []\n",
      "evals/b.yaml": "cases:\n  - id: two\n    input: hi\n    mocks:\n      billing.issue_refund: {returns: ok, error: boom}\n",
      "evals/c.yaml": "cases:\n  - id: three\n    input: hi\n    assert:\n      - type: tool-called\n        tool: issue_refund\n",
      "evals/d.yaml": "cases: [\n",
      "evals/e.yaml": "cases:\n  - id: dup\n    input: hi\n",
      "evals/f.yaml": "cases:\n  - id: dup\n    input: hi\n",
    });
    expect(suite).toBeNull();
    expect(messages).toEqual([
      "evals/a.yaml:4: error: unknown key `asert` in `cases[0]`; did you mean `assert`?",
      "evals/b.yaml:5: error: expected `cases[0].mocks.billing.issue_refund` to be exactly one of `returns` or `error`; got a mapping",
      "evals/c.yaml:6: error: expected `cases[0].assert[0].tool` to be a tool as `server.tool`, like `crm.get_account`; got `issue_refund`",
      "evals/d.yaml:1: error: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]. Check the indentation and quoting on this line.",
      "evals/f.yaml:2: error: repeats the case id `dup` of evals/e.yaml:2; case ids are unique in a suite (results pair trials by them), so rename one",
    ]);
  });
});

const tools: AgentTool[] = [
  ["billing", "get_invoice"], ["billing", "issue_refund"], ["billing", "apply_credit"],
  ["ticketing", "get_ticket"], ["ticketing", "assign_ticket"],
].map(([server, name]) => ({ server: server!, name: name!, description: "", inputSchema: { type: "object" } }));

describe("checkSuiteTools", () => {
  const check = (text: string) => {
    const { suite, problems } = parse({ "evals/a.yaml": text });
    expect(problems).toEqual([]);
    return checkSuiteTools(suite!, tools, { repo: "agents/refunds", agent: "refunds" }).map(formatProblem);
  };

  it("accepts every tool the agent resolves, in mocks and in every kind of tool assertion", () => {
    expect(check(`cases:
  - id: one
    input: hi
    mocks:
      billing.get_invoice: {returns: {status: paid}}
    assert:
      - {type: tool-called, tool: billing.issue_refund, args: {amount_minor: 4900}}
      - {type: not-tool-called, tool: billing.apply_credit}
      - {type: tool-sequence, tools: [billing.get_invoice, billing.issue_refund]}
      - {type: max-tool-calls, value: 3, tool: ticketing.get_ticket}
      - {type: max-tool-calls, value: 5}
`)).toEqual([]);
  });

  it("reports an unknown tool or server at the line naming it, with what was most likely meant", () => {
    expect(check(`defaults:
  mocks:
    billing.get_invoce: {returns: {}}
cases:
  - id: one
    input: hi
    mocks:
      biling.issue_refund: {returns: {}}
    assert:
      - {type: tool-called, tool: ticketing.get_invoice}
      - {type: tool-sequence, tools: [billing.get_invoice, crm.create_case]}
      - {type: not-max-tool-calls, value: 1, tool: billing.delete_invoice}
      - {type: tool-not-called, tool: warehouse.run_query}
  - id: two
    input: hi
`)).toEqual([
      "evals/a.yaml:3: error: names `billing.get_invoce`, but the agent's server `billing` has no tool `get_invoce`; did you mean `billing.get_invoice`? [refunds]",
      "evals/a.yaml:8: error: names `biling.issue_refund`, but the agent resolves no server `biling`; did you mean `billing.issue_refund`? [refunds]",
      "evals/a.yaml:10: error: names `ticketing.get_invoice`, but the agent's server `ticketing` has no tool `get_invoice`; did you mean `billing.get_invoice`? [refunds]",
      "evals/a.yaml:11: error: names `crm.create_case`, but the agent resolves no server `crm`; its servers are `billing`, `ticketing` [refunds]",
      "evals/a.yaml:12: error: names `billing.delete_invoice`, but the agent's server `billing` has no tool `delete_invoice`; its tools are `get_invoice`, `issue_refund`, `apply_credit` [refunds]",
      "evals/a.yaml:13: error: names `warehouse.run_query`, but the agent resolves no server `warehouse`; its servers are `billing`, `ticketing` [refunds]",
    ]);
  });

  it("says so when the agent uses no server at all", () => {
    const { suite } = parse({ "evals/a.yaml": "cases:\n  - id: one\n    input: hi\n    assert:\n      - {type: tool-called, tool: crm.get_case}\n" });
    expect(checkSuiteTools(suite!, [], { repo: "r" }).map(formatProblem)).toEqual([
      "evals/a.yaml:5: error: names `crm.get_case`, but the agent resolves no server `crm`; the agent uses no shared server; add it to agent.yaml's `servers` or drop the tool from the suite",
    ]);
  });
});

describe("findSuiteSettingLine", () => {
  it.each([
    ["the `evals.suite` line", "# agent\nname: a\nevals:\n  trials: 3\n  suite: cases\n", 5],
    ["the `evals` line when it has no `suite`", "name: a\n\nevals:\n  trials: 3\n", 3],
    ["line 1 without an `evals` section", "# agent\nname: a\ntier: staging\n", 1],
    ["line 1 for text that is not a mapping", "- a\n- b\n", 1],
  ])("finds %s", (_, text, line) => {
    expect(findSuiteSettingLine(text)).toBe(line);
  });
});
