// An agent's eval suite: the YAML files of its `evals.suite` folder, parsed, checked and merged into one suite.
import { isMap, isPair, isScalar, LineCounter, parseDocument } from "yaml";
import { evalSuiteFileSchema, type EvalSuiteFile } from "../../../schemas/eval-suite.schema.ts";
import { byText } from "../by-text.ts";
import { codeSpan } from "../code-span.ts";
import { closest, formatPath, parseYamlFile, type LineLookup } from "../files/parse-yaml.ts";
import { problemAt, sortProblems, uniqueProblems, type Problem, type SourceLocation } from "../problems.ts";
import type { AgentTool, Assertion, EvalCase, EvalSuite, JsonValue, LiveServer, LocatedAssertion, MockRule } from "./model.ts";

/** A file of the suite folder as a reader found it; `path` is relative to the agent repo's root. */
export interface SuiteFile {
  readonly path: string;
  readonly text: string;
}

/** Where the agent.yaml setting that names the suite folder is: problems about the folder as a whole point there. */
export interface SuiteSetting {
  /** agent.yaml's path in the agent repo. */
  readonly path: string;
  /** The line of `evals.suite` (of `evals` when it has no `suite`; 1 when there is no `evals`). */
  readonly line: number;
}

/** Where the suite comes from and what its cases default to. */
export interface ParseSuiteOptions {
  /** The agent repo, as its reader names it. */
  readonly repo: string;
  readonly ref?: string;
  /** The suite folder, relative to the agent repo's root (agent.yaml's `evals.suite`). */
  readonly suitePath: string;
  /** Trials of a case that sets none and whose file sets none: agent.yaml's `evals.trials`. */
  readonly defaultTrials: number;
  /** Hex digest of a text (sha256 in the shells); the suite's content address is made with it. */
  readonly hash: (text: string) => string;
  /** Default: `agent.yaml`, line 1. */
  readonly setting?: SuiteSetting;
  /** The agent, named on every problem when given. */
  readonly agent?: string;
}

/** A suite as parsed: the suite when it can be run, and every problem found on the way. */
export interface ParsedSuite {
  /** Null when any file has an error: a suite is run whole or not at all. */
  readonly suite: EvalSuite | null;
  /** Errors, then warnings, each by file and line. */
  readonly problems: Problem[];
}

/** The suite files a folder listing holds: YAML only (a README.md beside them is documentation). */
export function isSuiteFile(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * The text a suite's content address is the hash of: each file's path and text, sorted by
 * path, in an encoding where no two different lists of files give the same text.
 */
export function suiteContent(files: readonly SuiteFile[]): string {
  return JSON.stringify([...files].sort((a, b) => byText(a.path, b.path)).map((file) => [file.path, file.text]));
}

/**
 * Parses an agent's suite folder into one suite:
 * 1. keep the YAML files, sorted by path; none is a problem at agent.yaml's `evals.suite` line;
 * 2. parse each against the suite file schema (problems with file and line);
 * 3. merge each file's `defaults` into its cases (trials: case, file, agent.yaml; threshold
 *    default 1; tags joined; mocks by tool, the case's winning; assertions, the defaults' first);
 * 4. check across files: case ids unique, regular expressions that compile, one definition
 *    per live server and one judge model.
 * Tool names are checked against the agent's tools later, with {@link checkSuiteTools}.
 */
export function parseSuite(files: readonly SuiteFile[], options: ParseSuiteOptions): ParsedSuite {
  const yamlFiles = files.filter((file) => isSuiteFile(file.path)).sort((a, b) => byText(a.path, b.path));
  const setting = options.setting ?? { path: "agent.yaml", line: 1 };
  const problems: Problem[] = [];
  const at = (path: string, line: number, code: string, message: string, level: Problem["level"] = "error") =>
    problems.push(problemAt(locate(options, path), line, level, code, message, options.agent));

  if (yamlFiles.length === 0) {
    at(setting.path, setting.line, "no-suite", noSuiteMessage(options.suitePath, files));
    return { suite: null, problems };
  }

  const cases: EvalCase[] = [];
  const caseAt = new Map<string, { file: string; line: number }>();
  const servers = new Map<string, { value: LiveServer; file: string; line: number }>();
  let judge: { model: string; file: string; line: number } | undefined;

  for (const file of yamlFiles) {
    const parsed = parseYamlFile({ ...locate(options, file.path), text: file.text }, evalSuiteFileSchema, "an eval suite file");
    if (parsed.kind === "invalid") {
      problems.push(...parsed.problems.map((problem) => withAgent(problem, options.agent)));
      continue;
    }
    problems.push(...parsed.warnings.map((problem) => withAgent(problem, options.agent)));
    const { value, lineOf } = parsed;

    for (const [name, server] of Object.entries(value.servers)) {
      const line = lineOf(["servers", name], { key: true });
      const first = servers.get(name);
      if (!first) servers.set(name, { value: server, file: file.path, line });
      else if (!sameJson(first.value, server)) {
        at(file.path, line, "server-conflict", `defines the live server ${codeSpan(name)} differently from ${first.file}:${first.line}; keep one definition, or make them the same`);
      }
    }
    if (value.judge.model !== undefined) {
      const line = lineOf(["judge", "model"]);
      if (!judge) judge = { model: value.judge.model, file: file.path, line };
      else if (judge.model !== value.judge.model) {
        at(file.path, line, "judge-conflict", `sets the judge model ${codeSpan(value.judge.model)}, but ${judge.file}:${judge.line} sets ${codeSpan(judge.model)}; a suite has one judge, so set it in one file`);
      }
    }

    value.cases.forEach((input, index) => {
      const built = buildCase(file.path, value, index, lineOf, options.defaultTrials);
      const first = caseAt.get(input.id);
      if (first) {
        at(file.path, built.line, "duplicate-case", `repeats the case id ${codeSpan(input.id)} of ${first.file}:${first.line}; case ids are unique in a suite (results pair trials by them), so rename one`);
      } else {
        caseAt.set(input.id, { file: file.path, line: built.line });
      }
      cases.push(built);
    });

    // Regular expressions are checked where they are written, once each (defaults are not repeated per case).
    const written: { path: (string | number)[]; assertion: Assertion }[] = [
      ...(value.defaults.assert ?? []).map((assertion, j) => ({ path: ["defaults", "assert", j], assertion })),
      ...value.cases.flatMap((input, i) => input.assert.map((assertion, j) => ({ path: ["cases", i, "assert", j], assertion }))),
    ];
    for (const { path, assertion } of written) {
      if (assertion.type !== "regex" && assertion.type !== "not-regex") continue;
      const { value: pattern, flags } = assertion as { readonly value: string; readonly flags?: string };
      const error = regexError(pattern, flags);
      if (error !== undefined) {
        at(file.path, lineOf([...path, "value"]), "bad-regex", `\`${formatPath(path)}.value\` is not a regular expression JavaScript can compile: ${error}. Escape special characters such as \`(\`, \`[\` or \`\\\` with a backslash`);
      }
    }
  }

  const sorted = sortProblems(problems);
  if (sorted.some((problem) => problem.level === "error")) return { suite: null, problems: sorted };
  const suite: EvalSuite = {
    path: options.suitePath,
    cases,
    servers: Object.fromEntries([...servers].map(([name, { value }]) => [name, value])),
    ...(judge === undefined ? {} : { judgeModel: judge.model }),
    hash: options.hash(suiteContent(yamlFiles)),
  };
  return { suite, problems: sorted };
}

/** One case of a file with the file's defaults applied, each assertion and mock with its line. */
function buildCase(file: string, value: EvalSuiteFile, index: number, lineOf: LineLookup, defaultTrials: number): EvalCase {
  const input = value.cases[index]!;
  const defaults = value.defaults;
  const mocks: Record<string, MockRule[]> = {};
  const mockLines: Record<string, number> = {};
  for (const [tool, mock] of Object.entries(defaults.mocks ?? {})) {
    mocks[tool] = toRules(mock);
    mockLines[tool] = lineOf(["defaults", "mocks", tool], { key: true });
  }
  for (const [tool, mock] of Object.entries(input.mocks)) {
    mocks[tool] = toRules(mock);
    mockLines[tool] = lineOf(["cases", index, "mocks", tool], { key: true });
  }
  const assertions: LocatedAssertion[] = [
    ...(defaults.assert ?? []).map((assertion, j) => ({ assertion, line: lineOf(["defaults", "assert", j]) })),
    ...input.assert.map((assertion, j) => ({ assertion, line: lineOf(["cases", index, "assert", j]) })),
  ].map((located, position) => ({ ...located, index: position }));
  return {
    id: input.id,
    file,
    line: lineOf(["cases", index]),
    ...(input.description === undefined ? {} : { description: input.description }),
    input: input.input,
    tags: [...new Set([...(defaults.tags ?? []), ...input.tags])],
    trials: input.trials ?? defaults.trials ?? defaultTrials,
    threshold: input.threshold ?? defaults.threshold ?? 1,
    mocks,
    mockLines,
    assertions,
  };
}

/** A mock as written (one rule or a list) as the list of rules the runner tries in order. */
function toRules(mock: NonNullable<EvalSuiteFile["defaults"]["mocks"]>[string]): MockRule[] {
  const rules = Array.isArray(mock) ? mock : [mock];
  return rules.map((rule) => ({
    ...(rule.when === undefined ? {} : { when: rule.when as Record<string, JsonValue> }),
    ...(rule.returns === undefined ? {} : { returns: rule.returns as JsonValue }),
    ...(rule.error === undefined ? {} : { error: rule.error }),
  }));
}

/** Why a pattern does not compile, or undefined when it does. */
function regexError(pattern: string, flags: string | undefined): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (error) {
    // V8's message: "Invalid regular expression: /(a/: Unterminated group"; the pattern is already in the file.
    const message = String((error as Error).message);
    return message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "").replace(/^Invalid flags supplied to RegExp constructor '(.*)'$/, "the flags `$1` are invalid (each at most once; `u` and `v` not together)");
  }
}

function noSuiteMessage(suitePath: string, files: readonly SuiteFile[]): string {
  const others = files.length === 0 ? "" : ` (it holds ${files.map((file) => codeSpan(baseName(file.path))).join(", ")}, but no .yaml or .yml file)`;
  return `has no eval suite: \`evals.suite\` is ${codeSpan(suitePath)}, and that folder has no YAML files${others}. Add one, such as ${codeSpan(`${suitePath}/cases.yaml`)} with \`cases: [{id, input, assert}]\`, or point \`evals.suite\` at the folder that holds them`;
}

/**
 * Checks every tool a suite names (mocks and tool assertions) against the tools the agent
 * resolves to: an unknown server or tool is an error at the line that names it, with the
 * name it most likely means.
 */
export function checkSuiteTools(suite: EvalSuite, tools: readonly AgentTool[], where: { readonly repo: string; readonly ref?: string; readonly agent?: string }): Problem[] {
  const byServer = new Map<string, string[]>();
  for (const tool of tools) byServer.set(tool.server, [...(byServer.get(tool.server) ?? []), tool.name]);
  const problems: Problem[] = [];
  const check = (key: string, file: string, line: number) => {
    const message = unknownToolMessage(key, byServer);
    if (message !== undefined) problems.push(problemAt(locate(where, file), line, "error", "unknown-tool", message, where.agent));
  };
  for (const evalCase of suite.cases) {
    for (const key of Object.keys(evalCase.mocks)) check(key, evalCase.file, evalCase.mockLines?.[key] ?? evalCase.line);
    for (const { assertion, line } of evalCase.assertions) {
      for (const key of toolsNamed(assertion)) check(key, evalCase.file, line);
    }
  }
  // A file's defaults are in every case of the file: one problem each.
  return sortProblems(uniqueProblems(problems));
}

/** The `server.tool` keys an assertion names. */
export function toolsNamed(assertion: Assertion): string[] {
  // The schema's union types `type` as every type on each member, so fields are read by shape.
  const fields = assertion as { readonly type: string; readonly tool?: string; readonly tools?: readonly string[] };
  const base = fields.type.replace(/^not-/, "");
  if (base === "tool-sequence") return [...(fields.tools ?? [])];
  if (base === "tool-called" || base === "tool-not-called" || base === "max-tool-calls") return fields.tool === undefined ? [] : [fields.tool];
  return [];
}

function unknownToolMessage(key: string, byServer: ReadonlyMap<string, readonly string[]>): string | undefined {
  const dot = key.indexOf(".");
  const server = key.slice(0, dot);
  const tool = key.slice(dot + 1);
  const names = byServer.get(server);
  if (names?.includes(tool)) return undefined;
  if (names) {
    const meant = closest(tool, names);
    const elsewhere = [...byServer].filter(([, other]) => other.includes(tool)).map(([name]) => `${name}.${tool}`);
    const hint = meant !== undefined ? `did you mean ${codeSpan(`${server}.${meant}`)}?` : elsewhere.length > 0 ? `did you mean ${codeSpan(elsewhere[0]!)}?` : `its tools are ${names.map(codeSpan).join(", ")}`;
    return `names ${codeSpan(key)}, but the agent's server ${codeSpan(server)} has no tool ${codeSpan(tool)}; ${hint}`;
  }
  const serverNames = [...byServer.keys()].sort(byText);
  const meantServer = closest(server, serverNames);
  const owners = serverNames.filter((name) => byServer.get(name)!.includes(tool));
  const hint =
    meantServer !== undefined && byServer.get(meantServer)!.includes(tool) ? `did you mean ${codeSpan(`${meantServer}.${tool}`)}?`
    : owners.length > 0 ? `did you mean ${codeSpan(`${owners[0]!}.${tool}`)}?`
    : meantServer !== undefined ? `did you mean the server ${codeSpan(meantServer)}?`
    : serverNames.length === 0 ? "the agent uses no shared server; add it to agent.yaml's `servers` or drop the tool from the suite"
    : `its servers are ${serverNames.map(codeSpan).join(", ")}`;
  return `names ${codeSpan(key)}, but the agent resolves no server ${codeSpan(server)}; ${hint}`;
}

/**
 * The line of `evals.suite` in an agent.yaml's text, for problems about the suite folder:
 * the line of `evals` when it has no `suite`, and 1 when there is no `evals` section (the
 * default folder, `evals`, is used) or the text does not parse.
 */
export function findSuiteSettingLine(manifestText: string): number {
  const lineCounter = new LineCounter();
  const doc = parseDocument(manifestText, { lineCounter });
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const contents = doc.contents;
  if (!isMap(contents)) return 1;
  const evals = contents.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === "evals");
  if (!evals || !isScalar(evals.key)) return 1;
  const suite = isMap(evals.value) ? evals.value.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === "suite") : undefined;
  const key = suite && isScalar(suite.key) ? suite.key : evals.key;
  return lineAt(key.range?.[0]);
}

function locate(where: { readonly repo: string; readonly ref?: string | undefined }, path: string): SourceLocation {
  return where.ref === undefined ? { repo: where.repo, path } : { repo: where.repo, path, ref: where.ref };
}

function withAgent(problem: Problem, agent: string | undefined): Problem {
  return agent === undefined ? problem : { ...problem, agent };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort(byText).map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
