/**
 * Wraps text in a markdown code span that holds it literally, per CommonMark: a run of
 * backticks longer than any run inside, with a space of padding when the text starts or
 * ends with a backtick or a space (one space each side is stripped again when rendered).
 * Line breaks become spaces, as a code span shows them anyway, so a message stays on one line.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, " ");
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = /^[` ]|[` ]$/.test(flat) && flat.trim() !== "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}
