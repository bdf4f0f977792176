/**
 * Something blastgate got wrong, not the user: its own output failing its own schema, say.
 * main reports it as a bug (exit 3) instead of blaming the input.
 */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InternalError";
  }
}
