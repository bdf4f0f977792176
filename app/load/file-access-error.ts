// A namespace import, not a named one: getSystemErrorMessage is Node 24's, and a named
// import of it would fail the whole bundle at link time on an older Node, before bin.ts
// could say which Node blastgate needs.
import * as util from "node:util";

/** A system error from node:fs: its `code` (ENOENT, EACCES…), `errno`, `syscall` and `path`. */
export type SystemError = Error & { readonly code: string; readonly errno?: number; readonly syscall: string; readonly path?: string };

/** Whether `error` is a system error from node:fs (it carries `code` and `syscall`). */
export function isSystemError(error: unknown): error is SystemError {
  return error instanceof Error && typeof (error as Partial<SystemError>).code === "string" && typeof (error as Partial<SystemError>).syscall === "string";
}

/**
 * A file or folder blastgate could not read or write: `cannot write out/catalog.json:
 * permission denied`. `path` is the path as the user wrote it (`typed`: shown as it is), or a
 * reader's absolute path (the command line shows those relative to where it runs, through
 * {@link FileAccessError.describe}); the system error is the `cause`, `reason` its words.
 */
export class FileAccessError extends Error {
  readonly action: "read" | "write";
  readonly path: string;
  readonly reason: string;
  readonly typed: boolean;
  constructor(action: "read" | "write", path: string, options: { cause: unknown; typed?: boolean }) {
    super("", options);
    this.name = "FileAccessError";
    this.action = action;
    this.path = path;
    this.reason = reasonOf(options.cause);
    this.typed = options.typed ?? false;
    this.message = this.describe(path);
  }

  /** The message, naming the path as `shownPath`. */
  describe(shownPath: string): string {
    return `cannot ${this.action} ${shownPath}: ${this.reason}`;
  }
}

/** The operating system's words for a system error ("permission denied"), else its code. */
function reasonOf(cause: unknown): string {
  if (!isSystemError(cause)) return cause instanceof Error ? cause.message : String(cause);
  // `mkdir -p` fails with EEXIST only when something that is not a folder is in the way.
  if (cause.code === "EEXIST" && cause.syscall === "mkdir") return "not a directory";
  if (typeof cause.errno === "number") {
    try {
      return util.getSystemErrorMessage(cause.errno);
    } catch {
      // An errno the platform does not name: fall back to the code.
    }
  }
  return cause.code;
}
