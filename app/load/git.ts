import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** A git command failed; `stderr` says why. */
export class GitError extends Error {
  readonly args: readonly string[];
  readonly stderr: string;
  constructor(args: readonly string[], stderr: string, options?: { cause?: unknown }) {
    super(`git ${args.join(" ")} failed: ${stderr.trim().split("\n")[0] ?? "unknown error"}`, options);
    this.name = "GitError";
    this.args = args;
    this.stderr = stderr;
  }
}

/** Runs git with an argument list (never a shell) in `cwd`, returning stdout. */
export async function git(cwd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await execFileAsync("git", [...args], {
      cwd,
      env: env ? { ...process.env, ...env } : process.env,
      maxBuffer: 512 * 1024 * 1024,
      encoding: "utf8",
    });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; code?: string | number };
    if (failure.code === "ENOENT") throw new GitError(args, "git is not installed or not on PATH", { cause: error });
    throw new GitError(args, failure.stderr ?? String(error), { cause: error });
  }
}

/** One object read through `git cat-file --batch`: null when the name does not exist. */
export type BatchObject = { readonly type: string; readonly content: Buffer } | null;

/**
 * Reads many objects (`<rev>:<path>` names) through one `git cat-file --batch` process,
 * in order. One process for thousands of tags instead of one per file.
 */
export async function readObjects(cwd: string, names: readonly string[]): Promise<BatchObject[]> {
  if (names.length === 0) return [];
  const output = await pipe(cwd, ["cat-file", "--batch"], names.map((name) => `${name}\n`).join(""));
  const results: BatchObject[] = [];
  let offset = 0;
  for (let index = 0; index < names.length; index++) {
    const end = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, end).toString("utf8");
    offset = end + 1;
    if (header.endsWith(" missing") || header.endsWith(" ambiguous")) {
      results.push(null);
      continue;
    }
    const [, type, size] = header.split(" ");
    const length = Number(size);
    results.push({ type: type!, content: output.subarray(offset, offset + length) });
    offset += length + 1;
  }
  return results;
}

/** Object ids, types and sizes for many names through one `git cat-file --batch-check`. */
export async function checkObjects(cwd: string, names: readonly string[]): Promise<({ oid: string; type: string; size: number } | null)[]> {
  if (names.length === 0) return [];
  const output = (await pipe(cwd, ["cat-file", "--batch-check"], names.map((name) => `${name}\n`).join(""))).toString("utf8");
  return output
    .split("\n")
    .slice(0, names.length)
    .map((line) => {
      if (line.endsWith(" missing") || line.endsWith(" ambiguous")) return null;
      const [oid, type, size] = line.split(" ");
      return { oid: oid!, type: type!, size: Number(size) };
    });
}

function pipe(cwd: string, args: readonly string[], input: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", [...args], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => reject(new GitError(args, String(error), { cause: error })));
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new GitError(args, stderr))));
    child.stdin.end(input);
  });
}
