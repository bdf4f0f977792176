import { describe, expect, it } from "vitest";
import { parseSkillEvals } from "../../../app/core/evals/parse-skill-evals.ts";
import { suiteContent } from "../../../app/core/evals/parse-suite.ts";
import { formatProblem } from "../../../app/core/report/render-text.ts";

const hash = (text: string) => `h(${text.length})`;
const path = "skills/refund-policy/evals/evals.json";
const options = { repo: "registry", skill: "refund-policy", defaultTrials: 2, hash };

function parse(text: string) {
  const result = parseSkillEvals({ path, text }, options);
  return { ...result, messages: result.problems.map(formatProblem) };
}

// The shape skill-creator writes (its SKILL.md's `assertions`, its references/schemas.md's `expectations`).
const evals = `{
  "skill_name": "refund-policy",
  "evals": [
    {
      "id": 1,
      "prompt": "A customer was charged twice for March ($49.00). Refund one charge.",
      "expected_output": "Checks the invoice, then refunds $49.00 with reason duplicate.",
      "files": [],
      "assertions": ["Calls get_invoice before issue_refund", {"text": "Uses an idempotency key"}]
    },
    {
      "id": "over-limit",
      "prompt": "Refund $3,400 for last year's annual plan.",
      "files": ["evals/files/invoice.pdf"],
      "expectations": ["Does not refund", "Escalates to billing"]
    },
    {
      "id": 3,
      "prompt": "Can I get a credit instead?",
      "expected_output": "Offers a credit of at most one month."
    }
  ]
}
`;

describe("parseSkillEvals", () => {
  it("makes each eval a case graded by one rubric: the expected output, then each statement", () => {
    const { suite, problems } = parse(evals);
    expect(problems).toEqual([]);
    expect(suite).toEqual({
      path,
      servers: {},
      hash: hash(suiteContent([{ path, text: evals }])),
      cases: [
        {
          id: "refund-policy-1",
          file: path,
          line: 4,
          input: "A customer was charged twice for March ($49.00). Refund one charge.",
          tags: ["skill-eval"],
          trials: 2,
          threshold: 1,
          mocks: {},
          assertions: [{
            assertion: {
              type: "rubric",
              weight: 1,
              value: "A good answer: Checks the invoice, then refunds $49.00 with reason duplicate.\n\nEach of these must be true:\n- Calls get_invoice before issue_refund\n- Uses an idempotency key",
            },
            index: 0,
            line: 4,
          }],
        },
        {
          id: "refund-policy-over-limit",
          file: path,
          line: 11,
          description: "The eval names input files that are not uploaded: evals/files/invoice.pdf.",
          input: "Refund $3,400 for last year's annual plan.",
          tags: ["skill-eval"],
          trials: 2,
          threshold: 1,
          mocks: {},
          assertions: [{ assertion: { type: "rubric", weight: 1, value: "Each of these must be true:\n- Does not refund\n- Escalates to billing" }, index: 0, line: 11 }],
        },
        {
          id: "refund-policy-3",
          file: path,
          line: 17,
          input: "Can I get a credit instead?",
          tags: ["skill-eval"],
          trials: 2,
          threshold: 1,
          mocks: {},
          assertions: [{ assertion: { type: "rubric", weight: 1, value: "A good answer: Offers a credit of at most one month." }, index: 0, line: 17 }],
        },
      ],
    });
  });

  it.each([
    ["a comma before `]`", '{\n  "evals": [\n    {"id": 1, "prompt": "hi", "expected_output": "hello"},\n  ]\n}\n', 4, "a comma before `]` is not allowed in JSON; remove it"],
    ["a comma before `}`", '{\n  "evals": [],\n}\n', 3, "expected a property name in double quotes; got `}` (a comma before `}` is not allowed in JSON)"],
    ["a missing comma", '{\n  "skill_name": "refund-policy"\n  "evals": []\n}\n', 3, "expected `,` or `}` after a property's value; got `\"`"],
    ["a line break in a string", '{\n  "evals": [{"id": 1, "prompt": "two\nlines"}]\n}\n', 2, "a string runs past the end of its line: close it with `\"`, and write a line break as `\\n`"],
    ["a cut-off file", '{\n  "evals": [\n    {"id": 1,\n', 3, "expected a property name in double quotes; got the end of the file"],
    ["an empty file", "", 1, "expected a value (text in double quotes, a number, true, false, null, a list or an object); got the end of the file"],
    ["a comment", '{\n  // the evals\n  "evals": []\n}\n', 2, "expected a property name in double quotes; got `/`"],
  ])("reports a JSON syntax error (%s) at its line, saying what was expected", (_, text, line, reason) => {
    const { suite, messages } = parse(text);
    expect([suite, messages]).toEqual([null, [`${path}:${line}: error: is not valid JSON: ${reason}`]]);
  });

  it("reads a file that starts with a byte-order mark", () => {
    expect(parse(`\uFEFF${evals}`).suite?.cases).toHaveLength(3);
  });

  it("reports schema problems at the line of the value", () => {
    const text = '{\n  "evals": [\n    {\n      "id": 1,\n      "prompt": ""\n    },\n    {\n      "prompt": "hi"\n    }\n  ]\n}\n';
    expect(parse(text).messages).toEqual([
      "skills/refund-policy/evals/evals.json:5: error: `evals[0].prompt` is empty; fill it in",
      "skills/refund-policy/evals/evals.json:7: error: expected `evals[1].id` to be one of the allowed forms; got nothing",
    ]);
  });

  it("reports an eval with nothing to grade, an id that makes a bad case id, and a repeated id; the suite is then null", () => {
    const text = JSON.stringify({
      evals: [
        { id: 1, prompt: "a" },
        { id: "two words", prompt: "b", expected_output: "x" },
        { id: 3, prompt: "c", assertions: ["ok"] },
        { id: "3", prompt: "d", assertions: ["ok"] },
      ],
    }, null, 2);
    const { suite, messages } = parse(text);
    expect(suite).toBeNull();
    expect(messages).toEqual([
      "skills/refund-policy/evals/evals.json:3: error: `evals[0]` says nothing to grade against; add `expected_output` or `assertions`",
      "skills/refund-policy/evals/evals.json:8: error: `evals[1].id` makes the case id `refund-policy-two words`; expected letters, digits, `_`, `.` or `-` (100 characters at most), like `1` or `refund-950`",
      "skills/refund-policy/evals/evals.json:20: error: repeats the id `3` of the eval at line 12; give each eval its own id",
    ]);
  });

  it("warns when `skill_name` names another skill, and keeps the suite", () => {
    const { suite, messages } = parse('{"skill_name": "refund-policies", "evals": [{"id": 1, "prompt": "hi", "expected_output": "hello"}]}');
    expect(suite?.cases.map((c) => c.id)).toEqual(["refund-policy-1"]);
    expect(messages).toEqual([
      "skills/refund-policy/evals/evals.json:1: warning: gives `skill_name` `refund-policies`, but it is in the skill `refund-policy`; make them the same",
    ]);
  });

  it("refuses a file over the size cap without parsing it", () => {
    const { suite, messages } = parse(`{"evals": [], "pad": "${"x".repeat(1024 * 1024)}"}`);
    expect(suite).toBeNull();
    expect(messages).toEqual([
      "skills/refund-policy/evals/evals.json:1: error: is 1,048,600 bytes, over the 1,048,576-byte limit for an evals.json, so it was not read; an evals.json should be a small text file",
    ]);
  });
});
