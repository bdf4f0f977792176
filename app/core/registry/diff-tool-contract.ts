import type { ServerTool } from "../../../schemas/server.schema.ts";

/** One difference between two versions of a server's tool contract. */
export interface ContractChange {
  readonly kind: "tool-removed" | "tool-added" | "required-input-added" | "input-removed" | "input-type-narrowed";
  readonly breaking: boolean;
  readonly detail: string;
}

type Schema = Record<string, unknown>;

/**
 * Compares two tool lists the way a caller experiences them: a removed tool, a newly
 * required input, a removed input or a narrowed type breaks callers written against the
 * old contract; a new tool or a new optional input does not.
 */
export function diffToolContract(before: readonly ServerTool[], after: readonly ServerTool[]): ContractChange[] {
  const changes: ContractChange[] = [];
  const afterByName = new Map(after.map((tool) => [tool.name, tool]));
  const beforeNames = new Set(before.map((tool) => tool.name));
  for (const tool of before) {
    const next = afterByName.get(tool.name);
    if (!next) changes.push({ kind: "tool-removed", breaking: true, detail: `tool \`${tool.name}\` removed` });
    else {
      narrowing(tool.inputSchema, next.inputSchema).forEach((detail) =>
        changes.push({ kind: "input-type-narrowed", breaking: true, detail: `\`${tool.name}\` input ${detail}` }),
      );
      diffObject(tool.name, "", tool.inputSchema, next.inputSchema, changes);
    }
  }
  for (const tool of after) {
    if (!beforeNames.has(tool.name)) changes.push({ kind: "tool-added", breaking: false, detail: `tool \`${tool.name}\` added` });
  }
  return changes;
}

function diffObject(tool: string, prefix: string, before: Schema, after: Schema, out: ContractChange[]): void {
  const where = (name: string) => `\`${tool}\` input \`${prefix}${name}\``;
  const beforeProps = properties(before);
  const afterProps = properties(after);
  const beforeRequired = new Set(required(before));
  for (const name of required(after)) {
    if (!beforeRequired.has(name)) {
      out.push({
        kind: "required-input-added",
        breaking: true,
        detail: beforeProps.has(name) ? `${where(name)} is now required` : `${where(name)} added as required`,
      });
    }
  }
  for (const [name, schema] of beforeProps) {
    const next = afterProps.get(name);
    if (!next) {
      out.push({ kind: "input-removed", breaking: true, detail: `${where(name)} removed` });
      continue;
    }
    narrowing(schema, next).forEach((detail) => out.push({ kind: "input-type-narrowed", breaking: true, detail: `${where(name)} ${detail}` }));
    if (isSchema(schema.items) && isSchema(next.items)) {
      narrowing(schema.items, next.items).forEach((detail) => out.push({ kind: "input-type-narrowed", breaking: true, detail: `${where(name)} items ${detail}` }));
    }
    diffObject(tool, `${prefix}${name}.`, schema, next, out);
  }
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function properties(schema: Schema): Map<string, Schema> {
  const props = schema.properties;
  if (!isSchema(props)) return new Map();
  return new Map(Object.entries(props).filter((entry): entry is [string, Schema] => isSchema(entry[1])));
}

function required(schema: Schema): string[] {
  return Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === "string") : [];
}

function types(schema: Schema): Set<string> | null {
  if (typeof schema.type === "string") return new Set(schema.type === "number" ? ["number", "integer"] : [schema.type]);
  if (Array.isArray(schema.type)) {
    const set = new Set(schema.type.filter((t): t is string => typeof t === "string"));
    if (set.has("number")) set.add("integer");
    return set;
  }
  return null; // any type
}

/** What makes `after` accept less than `before`: fewer types, fewer enum values. */
function narrowing(before: Schema, after: Schema): string[] {
  const found: string[] = [];
  const a = types(before);
  const b = types(after);
  if (b !== null && (a === null || [...a].some((type) => !b.has(type)))) {
    found.push(`type narrowed from ${a === null ? "any" : describeType(before)} to ${describeType(after)}`);
  }
  const enumBefore = Array.isArray(before.enum) ? before.enum : null;
  const enumAfter = Array.isArray(after.enum) ? after.enum : null;
  if (enumAfter !== null) {
    const lost = enumBefore === null ? null : enumBefore.filter((value) => !enumAfter.some((other) => JSON.stringify(other) === JSON.stringify(value)));
    if (lost === null) found.push(`now limited to ${enumAfter.map((v) => JSON.stringify(v)).join(", ")}`);
    else if (lost.length > 0) found.push(`no longer accepts ${lost.map((v) => JSON.stringify(v)).join(", ")}`);
  }
  return found;
}

function describeType(schema: Schema): string {
  return Array.isArray(schema.type) ? schema.type.join(" | ") : String(schema.type);
}
