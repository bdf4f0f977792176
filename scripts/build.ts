// Rebuilds every generated file: schemas/generated/*.json and dist/cli.js, and removes
// files in those folders that no source produces any more (they would still be published).
// `--check` compares instead of writing and exits 1 on drift (the tests run the same check).
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { bundleCli, bundleEvalAction } from "./bundle-cli.ts";
import { findDrift, staleFiles } from "./generated-files.ts";
import { renderJsonSchemas } from "./render-json-schemas.ts";

const root = path.join(import.meta.dirname, "..");
const check = process.argv.includes("--check");
const outputs: [string, string][] = [
  ...renderJsonSchemas().map(([file, text]): [string, string] => [`schemas/generated/${file}`, text]),
  ["dist/cli.js", await bundleCli()],
  ["dist/actions/eval.js", await bundleEvalAction()],
];
if (check) {
  const drift = await findDrift(root, outputs);
  for (const message of drift) console.error(message);
  process.exitCode = drift.length > 0 ? 1 : 0;
} else {
  for (const [file, text] of outputs) {
    const target = path.join(root, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
    if (file === "dist/cli.js") await chmod(target, 0o755);
    console.log(`wrote ${file}`);
  }
  for (const file of await staleFiles(root, outputs.map(([file]) => file))) {
    await rm(path.join(root, file));
    console.log(`removed ${file}, which no source produces any more`);
  }
}
