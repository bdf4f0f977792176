/**
 * Runs blastgate on the bundled example org: builds it (a real git registry with tags and
 * one branch per proposed change) into .example-org/, then prints what `blastgate affected`
 * says about a change. Everything after the change's name goes to blastgate as it is.
 *
 *   npm run example                                   the skill minor bump, as the PR comment
 *   npm run example -- server-breaking-tool-change    another change
 *   npm run example -- default-model-switch --format text
 */
import path from "node:path";
import { runExample } from "./run-example.ts";

process.exitCode = await runExample(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    today: new Date().toISOString().slice(0, 10),
    debug: process.env.BLASTGATE_DEBUG === "1",
  },
  path.join(import.meta.dirname, "..", ".example-org"),
);
