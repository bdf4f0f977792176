// A skill's own evals (Agent Skills `evals/evals.json`, as skill-creator writes it) as an eval suite graded by the rubric judge.
import { skillEvalsSchema, type SkillEvals } from "../../../schemas/eval-suite.schema.ts";
import { codeSpan } from "../code-span.ts";
import { parseYamlFile } from "../files/parse-yaml.ts";
import { MAX_FILE_BYTES, sizeOf, tooLarge } from "../files/size-limit.ts";
import { problemAt, sortProblems, type Problem, type SourceLocation } from "../problems.ts";
import type { EvalCase, EvalSuite } from "./model.ts";
import { suiteContent, type SuiteFile } from "./parse-suite.ts";

/** Where a skill keeps its evals, relative to the skill's folder. */
export const SKILL_EVALS_FILE = "evals/evals.json";

/** The tag every case made from a skill's evals.json carries. */
export const SKILL_EVAL_TAG = "skill-eval";

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Where a skill's evals.json comes from and how many trials its cases get. */
export interface ParseSkillEvalsOptions {
  /** The repo holding the skill (the registry), as its reader names it. */
  readonly repo: string;
  readonly ref?: string;
  /** The skill's name: case ids are `<skill>-<id>`. */
  readonly skill: string;
  /** Trials of each case. */
  readonly defaultTrials: number;
  /** Hex digest of a text (sha256 in the shells), for the suite's content address. */
  readonly hash: (text: string) => string;
}

/**
 * Parses a skill's evals.json (`file.path` relative to the repo's root) into a suite: each
 * eval is a case whose input is its prompt and whose one assertion is a `rubric` made of
 * `expected_output` and each of `assertions` (or `expectations`). Files an eval names are
 * not uploaded; the case's description says so. The suite is null when there is an error.
 */
export function parseSkillEvals(file: SuiteFile, options: ParseSkillEvalsOptions): { suite: EvalSuite | null; problems: Problem[] } {
  const source: SourceLocation = options.ref === undefined ? { repo: options.repo, path: file.path } : { repo: options.repo, path: file.path, ref: options.ref };
  if (sizeOf(file.text) > MAX_FILE_BYTES) return { suite: null, problems: [tooLarge(source, sizeOf(file.text), "an evals.json")] };
  // Editors on Windows may start the file with a byte-order mark, which JSON.parse refuses.
  const text = file.text.replace(/^\uFEFF/, "");
  const syntax = jsonSyntaxError(text);
  if (syntax) return { suite: null, problems: [problemAt(source, syntax.line, "error", "schema", `is not valid JSON: ${syntax.reason}`)] };
  // JSON is YAML, so the YAML reader gives each value's line for the schema's problems.
  const parsed = parseYamlFile({ ...source, text }, skillEvalsSchema, "an Agent Skills evals.json");
  if (parsed.kind === "invalid") return { suite: null, problems: [...parsed.problems] };
  const { value, lineOf } = parsed;
  const problems: Problem[] = [...parsed.warnings];
  const at = (line: number, message: string, level: Problem["level"] = "error") => problems.push(problemAt(source, line, level, "schema", message));

  if (value.skill_name !== undefined && value.skill_name !== options.skill) {
    at(lineOf(["skill_name"]), `gives \`skill_name\` ${codeSpan(value.skill_name)}, but it is in the skill ${codeSpan(options.skill)}; make them the same`, "warning");
  }
  const seen = new Map<string, number>();
  const cases: EvalCase[] = [];
  value.evals.forEach((item, index) => {
    const line = lineOf(["evals", index]);
    const id = `${options.skill}-${String(item.id)}`;
    if (!CASE_ID.test(id)) {
      at(lineOf(["evals", index, "id"]), `\`evals[${index}].id\` makes the case id ${codeSpan(id)}; expected letters, digits, \`_\`, \`.\` or \`-\` (100 characters at most), like \`1\` or \`refund-950\``);
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      at(lineOf(["evals", index, "id"]), `repeats the id ${codeSpan(String(item.id))} of the eval at line ${first}; give each eval its own id`);
      return;
    }
    seen.set(id, line);
    const rubric = buildRubric(item);
    if (rubric === undefined) {
      at(line, `\`evals[${index}]\` says nothing to grade against; add \`expected_output\` or \`assertions\``);
      return;
    }
    cases.push({
      id,
      file: file.path,
      line,
      ...describeFiles(item.files),
      input: item.prompt,
      tags: [SKILL_EVAL_TAG],
      trials: options.defaultTrials,
      threshold: 1,
      mocks: {},
      assertions: [{ assertion: { type: "rubric", value: rubric, weight: 1 }, index: 0, line }],
    });
  });

  const sorted = sortProblems(problems);
  if (sorted.some((problem) => problem.level === "error")) return { suite: null, problems: sorted };
  return { suite: { path: file.path, cases, servers: {}, hash: options.hash(suiteContent([file])) }, problems: sorted };
}

type SkillEval = SkillEvals["evals"][number];

/** The judge's instructions for one eval: what a good answer looks like, then each statement it must make true. */
function buildRubric(item: SkillEval): string | undefined {
  const statements = [...item.assertions, ...item.expectations]
    .map((statement) => (typeof statement === "string" ? statement : statement.text).trim())
    .filter((statement) => statement !== "");
  const expected = item.expected_output?.trim() ?? "";
  if (expected === "" && statements.length === 0) return undefined;
  const parts = [
    ...(expected === "" ? [] : [`A good answer: ${expected}`]),
    ...(statements.length === 0 ? [] : [["Each of these must be true:", ...statements.map((statement) => `- ${statement}`)].join("\n")]),
  ];
  return parts.join("\n\n");
}

/** Input files are not uploaded to the model: the case says which ones its eval names. */
function describeFiles(files: readonly string[]): { description?: string } {
  if (files.length === 0) return {};
  return { description: `The eval names input files that are not uploaded: ${files.join(", ")}.` };
}

/** Where JSON.parse stops, as a line and a reason, or null when the text is JSON. */
function jsonSyntaxError(text: string): { line: number; reason: string } | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    // JSON.parse says where only in its message, and not for every error: find the place ourselves.
    const found = findJsonError(text);
    // An error at the very end (a file cut short) is shown on the last line with text.
    const lastLine = Math.max(1, text.replace(/\s+$/, "").split("\n").length);
    if (found) return { line: Math.min(text.slice(0, found.offset).split("\n").length, lastLine), reason: found.reason };
    return { line: 1, reason: String((error as Error).message) };
  }
}

/**
 * The first syntax error in a JSON text, as an offset and what was expected there (a
 * recursive-descent pass over RFC 8259's grammar; JSON.parse remains the judge of validity).
 */
export function findJsonError(text: string): { offset: number; reason: string } | null {
  let at = 0;
  const fail = (reason: string): never => {
    throw Object.assign(new SyntaxError(reason), { offset: at });
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const shown = () => (at >= text.length ? "the end of the file" : `\`${text[at]}\``);
  const string = () => {
    at++;
    for (;;) {
      if (at >= text.length) fail("a string is not closed: add the `\"` that ends it");
      const char = text[at]!;
      if (char === "\"") return void at++;
      if (char === "\n" || char < " ") fail("a string runs past the end of its line: close it with `\"`, and write a line break as `\\n`");
      if (char === "\\") {
        const next = text[at + 1] ?? "";
        if (next === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) fail("`\\u` must be followed by four hex digits");
          at += 6;
        } else if ('"\\/bfnrt'.includes(next) && next !== "") at += 2;
        else fail(`\`\\${next}\` is not a JSON escape; write a backslash as \`\\\\\``);
      } else at++;
    }
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{") {
      at++;
      space();
      if (text[at] === "}") return void at++;
      for (;;) {
        space();
        if (text[at] !== "\"") fail(`expected a property name in double quotes; got ${shown()}${text[at] === "}" ? " (a comma before `}` is not allowed in JSON)" : ""}`);
        string();
        space();
        if (text[at] !== ":") fail(`expected \`:\` after the property name; got ${shown()}`);
        at++;
        value();
        space();
        if (text[at] === ",") { at++; continue; }
        if (text[at] === "}") return void at++;
        fail(`expected \`,\` or \`}\` after a property's value; got ${shown()}`);
      }
    }
    if (char === "[") {
      at++;
      space();
      if (text[at] === "]") return void at++;
      for (;;) {
        space();
        if (text[at] === "]") fail("a comma before `]` is not allowed in JSON; remove it");
        value();
        space();
        if (text[at] === ",") { at++; continue; }
        if (text[at] === "]") return void at++;
        fail(`expected \`,\` or \`]\` after a list item; got ${shown()}`);
      }
    }
    if (char === "\"") return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at, at + 400))?.[0];
    if (literal) return void (at += literal.length);
    fail(`expected a value (text in double quotes, a number, true, false, null, a list or an object); got ${shown()}`);
  };
  try {
    value();
    space();
    if (at < text.length) fail(`expected the end of the file after the JSON value; got ${shown()}`);
    return null;
  } catch (error) {
    return { offset: (error as { offset: number }).offset, reason: (error as Error).message };
  }
}
