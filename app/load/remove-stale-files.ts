import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { FileAccessError, isSystemError } from "./file-access-error.ts";

/**
 * Removes the files directly in `out.dir/folder` whose names end in `extension` and are not
 * in `kept` (paths relative to `out.dir`, as written): what an earlier run left there that
 * this run did not write. Subfolders and other files stay. Returns the removed paths,
 * relative to `out.dir`; a folder that does not exist removes nothing. A failure is a
 * {@link FileAccessError} naming the path as the user wrote it (`out.shown`).
 */
export async function removeStaleFiles(
  out: { readonly dir: string; readonly shown: string },
  folder: string,
  extension: string,
  kept: ReadonlySet<string>,
): Promise<string[]> {
  const entries = await readdir(path.join(out.dir, folder), { withFileTypes: true }).catch((error: unknown) => {
    if (isSystemError(error) && (error.code === "ENOENT" || error.code === "ENOTDIR")) return [];
    throw new FileAccessError("read", path.join(out.shown, folder), { cause: error, typed: true });
  });
  const stale = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => path.join(folder, entry.name))
    .filter((file) => !kept.has(file))
    .sort();
  for (const file of stale) {
    await rm(path.join(out.dir, file)).catch((error: unknown) => {
      throw new FileAccessError("write", path.join(out.shown, file), { cause: error, typed: true });
    });
  }
  return stale;
}
