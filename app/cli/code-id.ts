import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The folders, beside package.json, whose TypeScript sources make up the command. */
const SOURCE_FOLDERS = ["app", "schemas"];

/**
 * The id of the code that parses, which keys the parse cache: a parse is only reused by
 * the code that made it. `entry` is the running entry point (bin.ts's own path). The
 * bundle (dist/cli.js) is hashed whole. Run from the TypeScript sources (app/cli/bin.ts),
 * the parsers live in other files, so the id hashes every .ts file under app/ and
 * schemas/, with package.json (blastgate's version and its pinned dependencies).
 */
export function readCodeId(entry: string): string {
  const hash = createHash("sha1");
  if (!entry.endsWith(".ts")) return hash.update(readFileSync(entry)).digest("hex");
  const root = path.resolve(path.dirname(entry), "..", "..");
  const files = SOURCE_FOLDERS.flatMap((folder) =>
    readdirSync(path.join(root, folder), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .map((file) => path.join(folder, file).split(path.sep).join("/")),
  ).sort();
  for (const file of ["package.json", ...files]) {
    const text = readFileSync(path.join(root, file));
    // Name and length before the text: no two different trees hash the same stream.
    hash.update(`${file}\0${text.length}\0`).update(text);
  }
  return `sources-${hash.digest("hex")}`;
}
