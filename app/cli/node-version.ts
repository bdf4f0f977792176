import path from "node:path";

/** The oldest Node major blastgate runs on (package.json's `engines`). */
export const MIN_NODE_MAJOR = 24;

/**
 * Why blastgate cannot run on this Node, as one line, or null when it can. `version` is
 * `process.versions.node`; `script` the command's file, shown relative to `cwd` when it is
 * inside it, so that the line holds a command the user can run as it is.
 * bin.ts asks before anything else is imported: an older Node would otherwise fail while
 * linking the bundle, with a stack trace instead of this line.
 */
export function unsupportedNode(version: string, script: string, cwd: string): string | null {
  const major = Number.parseInt(version, 10);
  if (major >= MIN_NODE_MAJOR) return null;
  const relative = path.relative(cwd, script);
  const shown = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : script;
  return `needs Node ${MIN_NODE_MAJOR} or newer (this is Node ${version}); install Node ${MIN_NODE_MAJOR}, or run it with \`npx -y node@${MIN_NODE_MAJOR} ${shown} …\``;
}
