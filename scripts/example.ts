/**
 * Runs blastgate on the bundled example org, as a skill author would before opening a
 * registry PR: builds the org (a real git registry with tags and one branch per proposed
 * change) into .example-org/, then prints what `blastgate affected` says about a change.
 *
 *   npm run example                                   the skill minor bump, as the PR comment
 *   npm run example -- server-breaking-tool-change    another change
 *   npm run example -- default-model-switch --format text
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { main } from "../app/cli/main.ts";
import { buildExampleOrg } from "./build-example-org.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { format: { type: "string", default: "markdown" } },
});
const root = path.join(import.meta.dirname, "..");
const org = await buildExampleOrg(path.join(root, ".example-org"));
const change = `change/${positionals[0] ?? "skill-minor-bump"}`;
if (!org.changes.includes(change)) {
  console.error(`No such example change; pick one of: ${org.changes.map((name) => name.replace("change/", "")).join(", ")}`);
  process.exit(2);
}
const cwd = org.registry;
const argv = ["affected", "--registry", ".", "--agents", "../agents", "--base", "main", "--head", change, "--format", values.format];
console.error(`$ cd ${path.relative(process.cwd(), cwd)} && npx blastgate ${argv.join(" ")}\n`);
const code = await main(argv, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd,
  today: new Date().toISOString().slice(0, 10),
});
if (code === 1) {
  console.error(
    "\n(blastgate exits 1 here because the report holds error-level problems: the example org keeps one deliberately broken agent manifest, ops-capacity-planner, to show that it is reported without stopping the others.)",
  );
}
process.exitCode = code === 2 ? 2 : 0;
