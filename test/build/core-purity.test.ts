import { ESLint } from "eslint";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.join(import.meta.dirname, "..", "..");
const eslint = new ESLint({ cwd: root });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((message) => message.ruleId ?? "parse-error");
}

describe("the lint rule that keeps app/core pure", () => {
  it.each([
    ['import { readFile } from "node:fs/promises";\nexport const f = readFile;\n', "no-restricted-imports"],
    ['import { execFile } from "child_process";\nexport const f = execFile;\n', "no-restricted-imports"],
    ['import { Octokit } from "@octokit/rest";\nexport const f = Octokit;\n', "no-restricted-imports"],
    ['import { readAgents } from "../load/read-agents.ts";\nexport const f = readAgents;\n', "no-restricted-imports"],
    ["export const cwd = () => process.cwd();\n", "no-restricted-globals"],
    ["export const now = () => Date.now();\n", "no-restricted-properties"],
  ])("rejects %j in app/core", async (code, rule) => {
    expect(await ruleIds("app/core/example.ts", code)).toContain(rule);
  });

  it("allows the same import outside app/core", async () => {
    expect(await ruleIds("app/load/example.ts", 'import { readFile } from "node:fs/promises";\nexport const f = readFile;\n')).toEqual([]);
  });
});
