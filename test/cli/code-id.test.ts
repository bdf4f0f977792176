import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCodeId } from "../../app/cli/code-id.ts";
import { CACHE_FILE } from "../../app/load/parse-cache.ts";
import { createTempOrg, modelsYaml, serverYaml } from "../helpers/git-registry.ts";

let root: string;

function write(files: Readonly<Record<string, string>>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "blastgate-code-id-"));
  write({
    "package.json": '{ "version": "1.0.0" }\n',
    "app/cli/bin.ts": "await main();\n",
    "app/core/registry/parse-manifests.ts": "export const parse = 1;\n",
    "app/notes.md": "not code\n",
    "schemas/agent.schema.ts": "export const agent = 1;\n",
    "dist/cli.js": "bundled();\n",
  });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("the code id that keys the parse cache", () => {
  const fromSources = () => readCodeId(path.join(root, "app/cli/bin.ts"));

  it.each([
    ["a parser under app/", "app/core/registry/parse-manifests.ts", "export const parse = 2;\n"],
    ["a schema", "schemas/agent.schema.ts", "export const agent = 2;\n"],
    ["a new source file", "app/core/registry/new-rule.ts", "export {};\n"],
    ["package.json's version", "package.json", '{ "version": "1.0.1" }\n'],
  ])("changes with %s when the sources run directly", (_what, file, text) => {
    const before = fromSources();
    expect(fromSources()).toBe(before);
    write({ [file]: text });
    expect(fromSources()).not.toBe(before);
  });

  it("does not change with files that are not TypeScript sources", () => {
    const before = fromSources();
    write({ "app/notes.md": "still not code\n", "test/some.test.ts": "export {};\n" });
    expect(fromSources()).toBe(before);
  });

  it("is the bundle's own hash when the bundle runs", () => {
    const bundle = path.join(root, "dist/cli.js");
    expect(readCodeId(bundle)).toBe(createHash("sha1").update("bundled();\n").digest("hex"));
    write({ "app/core/registry/parse-manifests.ts": "export const parse = 2;\n" });
    expect(readCodeId(bundle)).toBe(createHash("sha1").update("bundled();\n").digest("hex"));
  });

  it("keys the cache of the command run from its TypeScript sources with the sources' id", () => {
    const org = createTempOrg();
    try {
      org.write({ "models.yaml": modelsYaml(), "servers/crm/server.yaml": serverYaml("crm", "1.0.0") });
      org.commit("crm", "servers/crm@1.0.0");
      org.writeAgent("triage", { name: "triage", team: "support", tier: "production", servers: { crm: "^1.0.0" } });
      const bin = path.join(import.meta.dirname, "..", "..", "app", "cli", "bin.ts");
      const cache = path.join(org.root, "cache");
      execFileSync(process.execPath, [bin, "validate", "--agents", "../agents"], { cwd: org.registry, env: { ...process.env, BLASTGATE_CACHE_DIR: cache, BLASTGATE_NO_CACHE: "" }, stdio: "pipe" });
      const file = JSON.parse(readFileSync(path.join(cache, CACHE_FILE), "utf8")) as { version: string };
      expect(file.version).toBe(readCodeId(bin));
      expect(file.version).toMatch(/^sources-/);
    } finally {
      org.remove();
    }
  });
});
