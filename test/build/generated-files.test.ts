import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundleCli } from "../../scripts/bundle-cli.ts";
import { renderJsonSchemas } from "../../scripts/render-json-schemas.ts";

const root = path.join(import.meta.dirname, "..", "..");

describe("generated files", () => {
  it.each(renderJsonSchemas())("schemas/generated/%s matches its zod schema (run `npm run build` when this fails)", async (file, text) => {
    expect(await readFile(path.join(root, "schemas/generated", file), "utf8")).toBe(text);
  });

  it("dist/cli.js matches the sources (run `npm run build` when this fails)", async () => {
    const committed = await readFile(path.join(root, "dist/cli.js"), "utf8");
    // Compare sizes first so a drift fails with a short message, not a megabyte diff.
    const built = await bundleCli();
    expect(committed.length).toBe(built.length);
    expect(committed === built).toBe(true);
  });
});
