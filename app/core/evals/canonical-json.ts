// One way to write a value as JSON whatever order its keys were built in: the text that
// content addresses are hashed over, and the text of cassette files people diff and commit.

/**
 * JSON with every object's keys sorted (by UTF-16 code unit, as `Array.prototype.sort`
 * does), so equal values always give equal text. `indent` as in `JSON.stringify`.
 *
 * Like `JSON.stringify`, it leaves out properties whose value is `undefined` (an optional
 * field left out and one set to `undefined` address the same content) and writes `null`
 * for `undefined` in an array. Unlike it, it refuses what JSON cannot say rather than
 * writing something else: a non-finite number, a bigint, a function or a symbol throws
 * a `TypeError`, since `NaN` quietly written as `null` would give two values one address.
 */
export function canonicalJson(value: unknown, indent = 0): string {
  const text = write(value, indent > 0 ? " ".repeat(indent) : "", "", "$");
  if (text === undefined) throw new TypeError(`canonicalJson: ${typeof value} is not JSON`);
  return text;
}

function write(value: unknown, step: string, margin: string, at: string): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${at} is ${value}, which JSON cannot hold`);
      return JSON.stringify(value);
    case "undefined":
      return undefined;
    case "object":
      break;
    default:
      throw new TypeError(`canonicalJson: ${at} is a ${typeof value}, which JSON cannot hold`);
  }
  const inner = margin + step;
  const open = step ? `\n${inner}` : "";
  const close = step ? `\n${margin}` : "";
  const comma = step ? `,\n${inner}` : ",";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item, index) => write(item, step, inner, `${at}[${index}]`) ?? "null");
    return `[${open}${items.join(comma)}${close}]`;
  }
  const fields: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const text = write((value as Record<string, unknown>)[key], step, inner, `${at}.${key}`);
    if (text !== undefined) fields.push(`${JSON.stringify(key)}:${step ? " " : ""}${text}`);
  }
  if (fields.length === 0) return "{}";
  return `{${open}${fields.join(comma)}${close}}`;
}
