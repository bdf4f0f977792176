import { problemAt, type Problem, type SourceLocation } from "../problems.ts";

/** The largest user-written file we read. Manifests are small; anything bigger is a mistake or an attack. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** A text's size in bytes, as UTF-8. */
export function sizeOf(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The problem for a file over the size cap: its size, the cap, and what to do. */
export function tooLarge(source: SourceLocation, bytes: number, what: string): Problem {
  const advice = what === "a SKILL.md"
    ? "keep SKILL.md to its instructions and move long material into files under references/ (they are part of the skill's content but are not parsed)"
    : `${what} should be a small text file`;
  // Sizes to one decimal; where that rounds to the limit itself, the exact byte counts.
  const [size, limit] = formatBytes(bytes) === formatBytes(MAX_FILE_BYTES)
    ? [`${bytes.toLocaleString("en")} bytes`, `${MAX_FILE_BYTES.toLocaleString("en")}-byte`]
    : [formatBytes(bytes), formatBytes(MAX_FILE_BYTES)];
  return problemAt(source, 1, "error", "too-large", `is ${size}, over the ${limit} limit for ${what}, so it was not read; ${advice}`);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

