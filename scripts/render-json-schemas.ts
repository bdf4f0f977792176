import { z } from "zod";
import { publishedSchemas } from "../schemas/index.ts";

/** Renders every published zod schema as a JSON Schema file: [file name, text]. */
export function renderJsonSchemas(): [string, string][] {
  return publishedSchemas.map(({ name, schema, io }) => {
    const json = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" });
    return [`${name}.schema.json`, JSON.stringify(json, null, 2) + "\n"];
  });
}
