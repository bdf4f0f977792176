import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { FileAccessError } from "./file-access-error.ts";

/** A file to write, by its path relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly text: string;
}

/**
 * Writes `files` under `out.dir`, creating folders as needed. A failure becomes a
 * {@link FileAccessError} naming the path as the user wrote it (`out.shown` joined with the file's).
 */
export async function writeFiles(out: { readonly dir: string; readonly shown: string }, files: readonly OutputFile[]): Promise<void> {
  const attempt = async (relative: string, write: (target: string) => Promise<unknown>) => {
    try {
      await write(path.join(out.dir, relative));
    } catch (error) {
      throw new FileAccessError("write", path.join(out.shown, relative), { cause: error, typed: true });
    }
  };
  // The output folder first, so `--out` naming a file is reported as that path.
  await attempt(".", (dir) => mkdir(dir, { recursive: true }));
  const folders = [...new Set(files.map((file) => path.dirname(file.path)))].filter((folder) => folder !== ".").sort();
  for (const folder of folders) await attempt(folder, (dir) => mkdir(dir, { recursive: true }));
  for (const file of files) await attempt(file.path, (target) => writeFile(target, file.text));
}
