import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, stringify, type Document, type Node } from "yaml";
import { z } from "zod";
import { codeSpan } from "../code-span.ts";
import { problemAt, type Problem, type SourceLocation } from "../problems.ts";
import { MAX_FILE_BYTES, sizeOf, tooLarge } from "./size-limit.ts";

export { MAX_FILE_BYTES } from "./size-limit.ts";
/** YAML alias expansions allowed in one file (guards against "billion laughs"). */
export const MAX_YAML_ALIASES = 100;

const forbiddenKeys = new Set(["__proto__", "constructor", "prototype"]);

/** Finds the 1-based line of a path in the parsed file (a key's value, or the key itself). */
export type LineLookup = (path: readonly PropertyKey[], options?: { key?: boolean }) => number;

export type ParseResult<T> =
  | {
      readonly kind: "ok";
      readonly value: T;
      readonly lineOf: LineLookup;
      /** Warnings about a file that is valid: keys of open objects a typo away from a known key. */
      readonly warnings: readonly Problem[];
    }
  | {
      readonly kind: "invalid";
      readonly problems: readonly Problem[];
      /**
       * The file's data when its YAML could be read (reserved keys left out), so callers can
       * still run checks that do not depend on the schema, and report every problem at once.
       */
      readonly data?: unknown;
      readonly lineOf?: LineLookup;
    };

/** Text of a YAML file plus where it came from; `lineOffset` is for YAML embedded in a larger file (frontmatter). */
export interface YamlSource extends SourceLocation {
  readonly text: string;
  readonly lineOffset?: number;
}

/**
 * Parses YAML text and validates it against a schema, in two steps: syntax (with the
 * line of the first error), then schema (each issue mapped back to its line). Problems
 * say what was expected and how to fix it; they never carry raw zod output.
 */
export function parseYamlFile<S extends z.ZodType>(source: YamlSource, schema: S, what: string): ParseResult<z.output<S>> {
  const offset = source.lineOffset ?? 0;
  const at = (line: number, message: string) => problemAt(source, line + offset, "error", "schema", message);

  if (sizeOf(source.text) > MAX_FILE_BYTES) return invalid([tooLarge(source, sizeOf(source.text), what)]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const lineOfOffset = (pos: number | undefined) => (pos === undefined ? 1 : lineCounter.linePos(pos).line);

  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    // An unclosed bracket or quote is found at the end of the file; point at the last line with text instead.
    const lastLine = source.text.replace(/\s+$/, "").split("\n").length;
    const line = Math.min(lineOfOffset(error.pos[0]), lastLine);
    if (error.code === "DUPLICATE_KEY") {
      const key = /^\s*(?:-\s+)?(.+?)\s*:(?:\s|$)/.exec(source.text.split("\n")[line - 1] ?? "")?.[1] ?? "";
      return invalid([at(line, `gives the key ${key === "" ? "on this line" : codeSpan(key)} twice in the same mapping; keep one`)]);
    }
    return invalid([at(line, `is not valid YAML: ${firstSentence(error.message)}. Check the indentation and quoting on this line.`)]);
  }
  const lineOf: LineLookup = (path, options) => lineOfOffset(nodeAt(doc, path, options?.key ?? false)?.range?.[0]);

  // A reserved key is reported and left out of the data, so the rest of the file is still checked.
  const reserved = findForbiddenKeys(doc.contents).map((key) =>
    at(lineOfOffset(key.range?.[0]), `uses the reserved key \`${String(key.value)}\`; rename it`),
  );
  let data: unknown;
  try {
    // The yaml package defines keys like `__proto__` as own properties (it never runs the
    // prototype setter); the reviver then deletes them, so no schema ever sees one.
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES, reviver: (key, value) => (typeof key === "string" && forbiddenKeys.has(key) ? undefined : value) });
  } catch (error) {
    // The yaml package throws a ReferenceError when aliases expand past the limit.
    return invalid([at(1, `expands YAML aliases more than ${MAX_YAML_ALIASES} times; write the values out instead (${firstSentence(String((error as Error).message))})`)]);
  }
  if (data === null || data === undefined) {
    return invalid([at(1, `is empty; expected ${what}`)]);
  }

  const result = schema.safeParse(data);
  if (result.success && reserved.length === 0) {
    const warnings = findNearMissKeys(schema, data).map(({ path, key, meant }) =>
      problemAt(source, lineOf([...path, key], { key: true }) + offset, "warning", "unknown-key",
        `unknown key ${codeSpan(key)}${path.length > 0 ? ` in \`${formatPath(path)}\`` : ""}; did you mean \`${meant}\`? It is kept, and exported as written`),
    );
    return { kind: "ok", value: result.data, lineOf, warnings };
  }
  const issues = result.success ? [] : flattenIssues(result.error.issues);
  const problems = issues.map((issue) =>
    at(
      issue.code === "unrecognized_keys" ? lineOf([...issue.path, issue.keys[0]!], { key: true }) : lineOf(issue.path),
      describeIssue(issue, valueAt(data, issue.path), what, schema, (path) => {
        const node = nodeAt(doc, path, false);
        return isScalar(node) && typeof node.source === "string" ? node.source : undefined;
      }, valueAt(data, issue.path.slice(0, -1))),
    ),
  );
  return { kind: "invalid", problems: unique([...reserved, ...problems]), data, lineOf };
}

/** Drops repeats: several checks on one blank value all say it is empty, once is enough. */
function unique(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.line}\n${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function invalid(problems: Problem[]): ParseResult<never> {
  return { kind: "invalid", problems };
}

function firstSentence(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "").replace(/\.$/, "");
}

function nodeAt(doc: Document, path: readonly PropertyKey[], wantKey: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return node as Node;
      keyNode = pair.key;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) return node as Node;
      keyNode = item;
      node = item;
    } else {
      return (node as Node | undefined) ?? undefined;
    }
  }
  return (wantKey && keyNode ? keyNode : node) as Node | undefined;
}

/** Every reserved key in the document, at any depth, in document order. */
function findForbiddenKeys(node: unknown): { value: unknown; range?: [number, number, number] | null }[] {
  const found: { value: unknown; range?: [number, number, number] | null }[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && forbiddenKeys.has(String(pair.key.value))) found.push(pair.key);
      found.push(...findForbiddenKeys(pair.value));
    }
  } else if (isSeq(node)) {
    for (const item of node.items) found.push(...findForbiddenKeys(item));
  }
  return found;
}

type Issue = z.core.$ZodIssue;

/** Replaces a union's issues by those of the branch that fits the value's shape, so users see one clear reason. */
function flattenIssues(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    // One problem per unknown key, each at its own line.
    if (issue.code === "unrecognized_keys" && issue.keys.length > 1) return issue.keys.map((key) => ({ ...issue, keys: [key] }));
    if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
    const branches = issue.errors.map((branch) => branch.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }) as Issue));
    // A branch fits unless the value has the wrong shape for it, or names another `type` (a discriminator).
    const fitting = branches.filter(
      (branch) =>
        !branch.some(
          (inner) =>
            (inner.code === "invalid_type" && inner.path.length === issue.path.length) ||
            (inner.code === "invalid_value" && inner.path.length === issue.path.length + 1 && inner.path[issue.path.length] === "type"),
        ),
    );
    if (fitting.length === 1) return flattenIssues(fitting[0]!);
    // Every branch names another `type`: the one problem is the type, with every type the union accepts.
    const typeIssues = branches.map((branch) => branch.find((inner) => inner.code === "invalid_value" && inner.path.length === issue.path.length + 1 && inner.path[issue.path.length] === "type"));
    if (fitting.length === 0 && typeIssues.every((inner) => inner !== undefined)) {
      const values = [...new Set(typeIssues.flatMap((inner) => (inner as Extract<Issue, { code: "invalid_value" }>).values))];
      return [{ ...typeIssues[0]!, values } as Issue];
    }
    return [issue];
  });
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = data;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function describeShape(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return codeSpan(String(value));
}

/** `skills.tone-guide.version`, `tools[2].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

const typeNames: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "`true` or `false`",
  object: "a mapping (`key: value` lines)",
  array: "a list (`- item` lines)",
  record: "a mapping (`key: value` lines)",
};

function describeIssue(
  issue: Issue,
  value: unknown,
  what: string,
  schema: z.ZodType,
  sourceAt: (path: readonly PropertyKey[]) => string | undefined,
  parent?: unknown,
): string {
  const field = formatPath(issue.path);
  const subject = field === "" ? what : `\`${field}\``;
  const got = `got ${describeShape(value)}`;
  // Whatever a blank string breaks (a minimum, a pattern, a refinement), the fix is the same: write something.
  if (typeof value === "string" && value.trim() === "" && (issue.code === "too_small" || issue.code === "invalid_format" || issue.code === "custom")) {
    return value === "" ? `${subject} is empty; fill it in` : `${subject} is only whitespace; fill it in`;
  }
  switch (issue.code) {
    case "invalid_type": {
      const block = issue.expected === "object" ? describeBlock(schema, issue.path) : undefined;
      if (value === undefined) {
        if (block) return `${subject} is missing; add it with ${block}`;
        // A key a typo away from the missing one is most likely it, misspelt (a string map such as `metadata` accepts any key).
        const key = issue.path[issue.path.length - 1];
        const siblings = parent !== null && typeof parent === "object" && !Array.isArray(parent) ? Object.keys(parent).filter((other) => other !== key) : [];
        const typo = typeof key === "string" ? closest(key, siblings) : undefined;
        const expected = expectedText(schema, issue.path) ?? typeNames[issue.expected] ?? issue.expected;
        return typo !== undefined
          ? `${subject} is missing; the file has \`${typo}\`: did you mean \`${String(key)}\`? (expected ${expected})`
          : `${subject} is missing; add it (expected ${expected})`;
      }
      if (value === null && block) return `${subject} is empty; add ${block}`;
      // YAML reads `1.0` or `yes` as a number or a boolean; show what was written, and how to keep it text.
      const written = issue.expected === "string" && (typeof value === "number" || typeof value === "boolean") ? sourceAt(issue.path) : undefined;
      if (written !== undefined) {
        // Quoting only helps if the text would pass; otherwise say what the text lacks.
        const retry = schemaAt(schema, issue.path)?.node.safeParse(written);
        const inner = retry && !retry.success ? retry.error.issues[0] : undefined;
        if (inner) return describeIssue({ ...inner, path: issue.path } as Issue, written, what, schema, sourceAt);
        return `expected ${subject} to be text; got ${typeof value === "number" ? "the number" : "the boolean"} ${codeSpan(written)}. Quote it: ${codeSpan(`"${written}"`)}`;
      }
      return `expected ${subject} to be ${typeNames[issue.expected] ?? issue.expected}; ${got}`;
    }
    case "invalid_value":
      return `expected ${subject} to be one of ${issue.values.map(String).join(", ")}; ${got}`;
    case "unrecognized_keys": {
      const known = knownKeysAt(schema, issue.path);
      const key = issue.keys[0]!;
      const suggestion = closest(key, known);
      const where = field === "" ? "" : ` in \`${field}\``;
      return suggestion
        ? `unknown key \`${key}\`${where}; did you mean \`${suggestion}\`?`
        : `unknown key \`${key}\`${where}; remove it${known.length > 0 ? ` (known keys: ${known.join(", ")})` : ""}`;
    }
    case "too_big":
      // Characters are code points, as JSON Schema's maxLength counts them (an emoji is one).
      return issue.origin === "string"
        ? `${subject} is too long: at most ${String(issue.maximum)} characters, got ${String(codePoints(value as string))}; shorten it`
        : issue.origin === "array"
          ? `${subject} has too many items: at most ${String(issue.maximum)}`
          : `expected ${subject} to be at most ${String(issue.maximum)}; ${got}`;
    case "too_small":
      return issue.origin === "string"
        ? `${subject} is too short: at least ${String(issue.minimum)} characters, got ${String(codePoints(value as string))}`
        : issue.origin === "array"
          ? `${subject} needs at least ${String(issue.minimum)} item${issue.minimum === 1 ? "" : "s"}`
          : `expected ${subject} to be at least ${String(issue.minimum)}; ${got}`;
    case "invalid_format":
      return `expected ${subject} to be ${formatMessage(issue)}; ${got}`;
    case "invalid_key":
      return `${subject} has a key that is not allowed: expected ${issue.issues[0]?.message ?? "a valid key"}`;
    case "invalid_union": {
      // A discriminated union names its options when the discriminator matches none.
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length > 0) return `expected ${subject} to be one of ${options.map(String).join(", ")}; ${got}`;
      // A union that names its forms does so in its error message (a noun phrase, like our refinements).
      return `expected ${subject} to be ${/^[a-z`]/.test(issue.message) ? issue.message : "one of the allowed forms"}; ${got}`;
    }
    case "custom":
      return `expected ${subject} to be ${issue.message}; ${got}`;
    default:
      return `${subject}: ${issue.message}`;
  }
}

/**
 * Lengths in Unicode code points, as zod's length checks and JSON Schema's `maxLength`
 * count them (and the Agent Skills spec's "characters"): an emoji is one, not two.
 */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * What a mapping at `path` must hold, for a block that is missing or empty: its required
 * keys, and the schema's first example, e.g. "`metadata.version` and `metadata.owner`,
 * like `metadata: { version: 1.0.0, owner: support-platform }`".
 */
function describeBlock(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  const found = schemaAt(schema, path);
  if (!found) return undefined;
  const shape = (found.node._zod.def as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) return undefined;
  const field = formatPath(path);
  const required = Object.keys(shape).filter((key) => shape[key]!._zod.optin === undefined);
  if (required.length === 0) return undefined;
  const names = required.map((key) => `\`${field}.${key}\``);
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]!}`;
  const example = found.examples?.[0];
  const last = path[path.length - 1];
  return example === undefined || typeof last !== "string"
    ? list
    : `${list}, like ${codeSpan(`${last}: ${stringify(example, { collectionStyle: "flow" }).trim()}`)}`;
}

/** What a text field expects, in its own words: the message of its pattern check (`an exact semantic version such as …`). */
function expectedText(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  const found = schemaAt(schema, path);
  const checks = (found?.node._zod.def as { checks?: { _zod: { def: { check?: string; error?: (issue: unknown) => unknown } } }[] } | undefined)?.checks ?? [];
  for (const check of checks) {
    if (check._zod.def.check !== "string_format") continue;
    const message = check._zod.def.error?.({ code: "invalid_format" });
    if (typeof message === "string" && /^[a-z`]/.test(message)) return message;
  }
  return undefined;
}

/** The schema node at `path` (through optional, default and the like), with the examples its wrappers declare. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): { node: z.ZodType; examples?: readonly unknown[] } | undefined {
  let node: z.ZodType | undefined = schema;
  let examples: readonly unknown[] | undefined;
  const unwrap = () => {
    for (;;) {
      const meta = z.globalRegistry.get(node!);
      if (meta?.examples !== undefined && examples === undefined) examples = meta.examples as readonly unknown[];
      const def = node!._zod.def as { type: string; innerType?: z.ZodType };
      if (!["optional", "nullable", "default", "prefault", "catch", "readonly", "nonoptional"].includes(def.type) || !def.innerType) return;
      node = def.innerType;
    }
  };
  for (const segment of path) {
    unwrap();
    examples = undefined;
    const def = node._zod.def as { type: string; shape?: Record<string, z.ZodType>; valueType?: z.ZodType; element?: z.ZodType };
    node = def.type === "object" ? def.shape?.[String(segment)] : def.type === "record" ? def.valueType : def.type === "array" ? def.element : undefined;
    if (!node) return undefined;
  }
  unwrap();
  return examples === undefined ? { node } : { node, examples };
}

function formatMessage(issue: Extract<Issue, { code: "invalid_format" }>): string {
  if (issue.message && !issue.message.startsWith("Invalid")) return issue.message;
  if (issue.format === "url") return "a URL such as `https://example.com`";
  if (issue.format === "date") return "a date as YYYY-MM-DD";
  return `a valid ${issue.format}`;
}


/**
 * Keys of open objects (which accept any key, as the MCP registry's shapes do) that are a
 * typo away from a key the object knows: kept and passed on, but most likely misspelt.
 * Each with its path and the key it probably means.
 */
export function findNearMissKeys(schema: z.ZodType, data: unknown): { path: PropertyKey[]; key: string; meant: string }[] {
  const found: { path: PropertyKey[]; key: string; meant: string }[] = [];
  const visit = (node: unknown, value: unknown, path: PropertyKey[]): void => {
    const def = (node as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def || value === null || value === undefined) return;
    switch (def.type) {
      case "optional": case "nullable": case "default": case "prefault": case "catch": case "readonly": case "nonoptional":
        return visit(def.innerType, value, path);
      case "pipe":
        return visit(def.in, value, path);
      case "union":
        // The option whose `type` matches, when the options are told apart by it; else each.
        for (const option of def.options as unknown[]) {
          const literal = ((option as { _zod: { def: { shape?: Record<string, { _zod: { def: { values?: unknown[] } } }> } } })._zod.def.shape?.type)?._zod.def.values;
          if (literal && typeof value === "object" && !literal.includes((value as { type?: unknown }).type)) continue;
          visit(option, value, path);
        }
        return;
      case "object": {
        if (typeof value !== "object" || Array.isArray(value)) return;
        const shape = def.shape as Record<string, unknown>;
        const open = (def.catchall as { _zod?: { def?: { type?: string } } } | undefined)?._zod?.def?.type === "unknown";
        for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
          if (key in shape) visit(shape[key], inner, [...path, key]);
          else if (open) {
            const meant = closest(key, Object.keys(shape));
            if (meant !== undefined) found.push({ path, key, meant });
          }
        }
        return;
      }
      case "record":
        if (typeof value === "object") for (const [key, inner] of Object.entries(value as Record<string, unknown>)) visit(def.valueType, inner, [...path, key]);
        return;
      case "array":
        if (Array.isArray(value)) value.forEach((inner, index) => visit(def.element, inner, [...path, index]));
        return;
      default:
        return;
    }
  };
  visit(schema, data, []);
  return found;
}

/** The keys a strict object accepts at `path` in the schema (all options' keys for a union). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  const visit = (node: unknown, rest: readonly PropertyKey[]): void => {
    const def = (node as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return;
    switch (def.type) {
      case "optional": case "nullable": case "default": case "prefault": case "catch": case "readonly": case "nonoptional":
        return visit(def.innerType, rest);
      case "pipe":
        return visit(def.in, rest);
      case "union":
        for (const option of def.options as unknown[]) visit(option, rest);
        return;
      case "object": {
        const shape = def.shape as Record<string, unknown>;
        if (rest.length === 0) Object.keys(shape).forEach((key) => keys.add(key));
        else if (String(rest[0]) in shape) visit(shape[String(rest[0])], rest.slice(1));
        return;
      }
      case "record":
        if (rest.length > 0) visit(def.valueType, rest.slice(1));
        return;
      case "array":
        if (rest.length > 0) visit(def.element, rest.slice(1));
        return;
      default:
        return;
    }
  };
  visit(schema, path);
  return [...keys].sort();
}

/** The known key within edit distance 2 of `key`, if any. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
