// Rebuilds every generated file: schemas/generated/*.json and dist/cli.js.
// `--check` compares instead of writing and exits 1 on drift (the tests run the same check).
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { bundleCli } from "./bundle-cli.ts";
import { renderJsonSchemas } from "./render-json-schemas.ts";

const root = path.join(import.meta.dirname, "..");
const check = process.argv.includes("--check");
const outputs: [string, string][] = [
  ...renderJsonSchemas().map(([file, text]): [string, string] => [`schemas/generated/${file}`, text]),
  ["dist/cli.js", await bundleCli()],
];
let drift = 0;
for (const [file, text] of outputs) {
  const target = path.join(root, file);
  if (check) {
    if ((await readFile(target, "utf8").catch(() => "")) !== text) {
      console.error(`${file} is out of date; run \`npm run build\` and commit it`);
      drift++;
    }
    continue;
  }
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, text);
  if (file === "dist/cli.js") await chmod(target, 0o755);
  console.log(`wrote ${file}`);
}
process.exitCode = drift > 0 ? 1 : 0;
