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
  const syntax = jsonSyntaxError(file.text);
  if (syntax) {
    return { suite: null, problems: [problemAt(source, syntax.line, "error", "schema", `is not valid JSON: ${syntax.reason}. Check the commas, brackets and quotes on this line or the one before`)] };
  }
  // JSON is YAML, so the YAML reader gives each value's line for the schema's problems.
  const parsed = parseYamlFile({ ...source, text: file.text }, skillEvalsSchema, "an Agent Skills evals.json");
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
    // JSON.parse gives its place only in the message: "… in JSON at position 11 (line 3 column 2)".
    const message = String((error as Error).message);
    const lastLine = Math.max(1, text.replace(/\s+$/, "").split("\n").length);
    const line = /\(line (\d+) column \d+\)/.exec(message)?.[1];
    const position = /at position (\d+)/.exec(message)?.[1];
    const found = line !== undefined ? Number(line) : position !== undefined ? text.slice(0, Number(position)).split("\n").length : lastLine;
    const reason = message.replace(/ in JSON at position \d+.*$/s, "").replace(/^Unexpected end of JSON input$/, "the text ends before the JSON does");
    return { line: Math.min(found, lastLine), reason: text.trim() === "" ? "the file is empty" : reason };
  }
}
