import { describe, expect, it } from "vitest";
import { diffToolContract } from "../../../app/core/registry/diff-tool-contract.ts";
import type { ServerTool } from "../../../schemas/server.schema.ts";

function tool(name: string, properties: Record<string, unknown>, required: string[] = []): ServerTool {
  return { name, description: name, inputSchema: { type: "object", properties, required }, scopes: [] };
}

const createCase = tool("create_case", { title: { type: "string" }, priority: { type: "string", enum: ["low", "high", "urgent"] }, amount: { type: "number" } }, ["title"]);

describe("diffToolContract", () => {
  it.each<[string, ServerTool[], Array<[string, boolean, string]>]>([
    ["nothing when the contract is the same", [createCase], []],
    ["a removed tool as breaking", [], [["tool-removed", true, "tool `create_case` removed"]]],
    ["an added tool as compatible", [createCase, tool("close_case", {})], [["tool-added", false, "tool `close_case` added"]]],
    [
      "a new required input as breaking",
      [tool("create_case", { ...createCase.inputSchema.properties as object, account: { type: "string" } }, ["title", "account"])],
      [["required-input-added", true, "`create_case` input `account` added as required"]],
    ],
    [
      "an optional input that becomes required as breaking",
      [tool("create_case", createCase.inputSchema.properties as Record<string, unknown>, ["title", "priority"])],
      [["required-input-added", true, "`create_case` input `priority` is now required"]],
    ],
    [
      "a new optional input as compatible",
      [tool("create_case", { ...createCase.inputSchema.properties as object, note: { type: "string" } }, ["title"])],
      [],
    ],
    [
      "a removed input as breaking",
      [tool("create_case", { title: { type: "string" }, priority: { type: "string", enum: ["low", "high", "urgent"] } }, ["title"])],
      [["input-removed", true, "`create_case` input `amount` removed"]],
    ],
    [
      "number narrowed to integer as breaking",
      [tool("create_case", { ...createCase.inputSchema.properties as object, amount: { type: "integer" } }, ["title"])],
      [["input-type-narrowed", true, "`create_case` input `amount` type narrowed from number to integer"]],
    ],
    [
      "integer widened to number as compatible",
      [tool("create_case", { ...createCase.inputSchema.properties as object, amount: { type: ["number", "null"] } }, ["title"])],
      [],
    ],
    [
      "an enum that loses a value as breaking",
      [tool("create_case", { ...createCase.inputSchema.properties as object, priority: { type: "string", enum: ["low", "high"] } }, ["title"])],
      [["input-type-narrowed", true, '`create_case` input `priority` no longer accepts "urgent"']],
    ],
    [
      "a new enum on a free string as breaking",
      [tool("create_case", { ...createCase.inputSchema.properties as object, title: { type: "string", enum: ["Refund"] } }, ["title"])],
      [["input-type-narrowed", true, '`create_case` input `title` now limited to "Refund"']],
    ],
  ])("reports %s", (_name, after, expected) => {
    expect(diffToolContract([createCase], after).map((change) => [change.kind, change.breaking, change.detail])).toEqual(expected);
  });

  it("follows nested objects and array items", () => {
    const before = tool("search", { filter: { type: "object", properties: { status: { type: "string" } } }, ids: { type: "array", items: { type: ["string", "number"] } } });
    const after = tool("search", { filter: { type: "object", properties: { status: { type: "string" }, owner: { type: "string" } }, required: ["owner"] }, ids: { type: "array", items: { type: "string" } } });
    expect(diffToolContract([before], [after]).map((change) => change.detail)).toEqual([
      "`search` input `filter.owner` added as required",
      "`search` input `ids` items type narrowed from string | number to string",
    ]);
  });
});
