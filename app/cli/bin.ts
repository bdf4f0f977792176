#!/usr/bin/env node
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readCodeId } from "./code-id.ts";
import { EXIT } from "./exit-codes.ts";
import { unsupportedNode } from "./node-version.ts";

// The only place that touches process globals: everything below takes them as parameters.
// The Node version first, and main.ts only after it, since main.ts links Node 24 APIs.
const tooOld = unsupportedNode(process.versions.node, process.argv[1] ?? "blastgate", process.cwd());
if (tooOld !== null) {
  await new Promise((written) => process.stderr.write(`blastgate: ${tooOld}\n`, written));
  process.exit(EXIT.usage);
}
const { main } = await import("./main.ts");
const env = process.env;
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  today: new Date().toISOString().slice(0, 10),
  cache: env.BLASTGATE_NO_CACHE
    ? null
    : {
        dir: env.BLASTGATE_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "blastgate"),
        // Parses are only reused by the same code: the bundle's hash, or the sources' when they run directly.
        codeId: readCodeId(fileURLToPath(import.meta.url)),
      },
  anthropic: { apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL },
  debug: env.BLASTGATE_DEBUG === "1",
});
process.exitCode = code;
