import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");

/** Bundles the CLI into one file with its dependencies, so `npx blastgate` needs no install step. */
export async function bundleCli(): Promise<string> {
  return bundle("app/cli/bin.ts");
}

/** Bundles the eval action into one file, as `runs.main` in action.yml names it (an action has no install step). */
export async function bundleEvalAction(): Promise<string> {
  return bundle("actions/eval/run.ts");
}

async function bundle(entry: string): Promise<string> {
  const { version } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as { version: string };
  const result = await build({
    entryPoints: [path.join(root, entry)],
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    write: false,
    legalComments: "none",
    // `blastgate --version` (app/cli/version.ts): the bundle has no package.json beside it.
    define: { BLASTGATE_VERSION: JSON.stringify(version) },
    // CommonJS dependencies (semver, commander) call require() for Node built-ins.
    banner: { js: 'import { createRequire as __blastgateCreateRequire } from "node:module";\nconst require = __blastgateCreateRequire(import.meta.url);' },
  });
  return result.outputFiles[0]!.text;
}
