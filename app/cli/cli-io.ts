/** Where the CLI writes and which directory it works from; bin.ts passes the process's, tests their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  /** Today as YYYY-MM-DD (model retirement dates are compared with it). */
  readonly today: string;
  /** Print the stack (and causes) of an error after its one-line message (`BLASTGATE_DEBUG=1`). */
  readonly debug?: boolean;
  /** The folder where parses are kept between runs (one file, shared by every org using it) and the id of the code that parses; none: parse everything every run. */
  /** The Anthropic API settings `eval` reads from the environment (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL). */
  readonly anthropic?: { readonly apiKey?: string | undefined; readonly baseURL?: string | undefined };
  readonly cache?: { readonly dir: string; readonly codeId: string } | null;
}
