/** One `## ` section of a markdown document. */
export interface Section {
  /** The heading text without `## `, or null for the text before the first heading. */
  readonly heading: string | null;
  /** The section's lines, heading included. */
  readonly text: string;
}

/** Splits markdown into `## ` sections, ignoring headings inside fenced code blocks. */
export function splitSections(markdown: string): Section[] {
  const sections: { heading: string | null; lines: string[] }[] = [{ heading: null, lines: [] }];
  let fence: string | null = null;
  for (const line of markdown.split("\n")) {
    const fenceMatch = /^\s*(```+|~~~+)/.exec(line);
    if (fenceMatch) {
      if (fence === null) fence = fenceMatch[1]!;
      else if (fenceMatch[1]!.startsWith(fence[0]!) && fenceMatch[1]!.length >= fence.length) fence = null;
    }
    const heading = fence === null ? /^##\s+(.+?)\s*#*\s*$/.exec(line) : null;
    if (heading) sections.push({ heading: heading[1]!, lines: [line] });
    else sections[sections.length - 1]!.lines.push(line);
  }
  return sections
    .filter((section) => section.heading !== null || section.lines.some((line) => line.trim() !== ""))
    .map((section) => ({ heading: section.heading, text: section.lines.join("\n") }));
}

/** The `## ` headings of a markdown document, in order. */
export function listHeadings(markdown: string): string[] {
  return splitSections(markdown).flatMap((section) => (section.heading === null ? [] : [section.heading]));
}

/** Splits `---\nYAML\n---\nbody` into its frontmatter and body; `bodyLine` is the body's first line (1-based). */
export function splitFrontmatter(text: string): { frontmatter: string | null; body: string; bodyLine: number } {
  const normalized = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  if (!normalized.startsWith("---\n")) return { frontmatter: null, body: normalized, bodyLine: 1 };
  const end = normalized.indexOf("\n---", 3);
  if (end === -1) return { frontmatter: null, body: normalized, bodyLine: 1 };
  const afterFence = normalized.indexOf("\n", end + 4);
  const frontmatter = normalized.slice(4, end + 1);
  const body = afterFence === -1 ? "" : normalized.slice(afterFence + 1);
  return { frontmatter, body, bodyLine: frontmatter.split("\n").length + 2 };
}

/**
 * Layers an overlay on a shared skill: the overlay's `## Heading` sections replace the
 * skill's sections of the same heading; its other sections are appended in order.
 */
export function applyOverlay(skillBody: string, overlayBody: string): string {
  const overlay = splitSections(overlayBody).filter((section) => section.heading !== null);
  const byHeading = new Map(overlay.map((section) => [section.heading!, section]));
  const used = new Set<string>();
  const merged = splitSections(skillBody).map((section) => {
    const replacement = section.heading === null ? undefined : byHeading.get(section.heading);
    if (!replacement) return section.text;
    used.add(replacement.heading!);
    return replacement.text;
  });
  const appended = overlay.filter((section) => !used.has(section.heading!)).map((section) => section.text);
  return [...merged, ...appended].map((text) => text.replace(/\n+$/, "")).join("\n\n") + "\n";
}
