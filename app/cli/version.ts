import { readFileSync } from "node:fs";

// Inlined by esbuild's `define` when dist/cli.js is bundled (scripts/bundle-cli.ts); absent
// when the sources run directly, where package.json is two folders up.
declare const BLASTGATE_VERSION: string | undefined;

/** blastgate's version, as in package.json. */
export function readVersion(): string {
  if (typeof BLASTGATE_VERSION === "string") return BLASTGATE_VERSION;
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}
