import { problemAt, relocateProblem, type Problem, type SourceLocation } from "../problems.ts";
import { MAX_FILE_BYTES, sizeOf, tooLarge } from "../files/size-limit.ts";
import type { FileRead } from "./build-registry-history.ts";
import type { AgentFacts, OverlayFacts } from "./model.ts";
import { parseAgentManifest, parseOverlay, type AgentDraft } from "./parse-manifests.ts";

/** The manifest every agent repo holds at its root. */
export const AGENT_MANIFEST = "agent.yaml";

/**
 * Parses of agent manifests already done, by content id alone: the same text parses the
 * same in any repo, so a parse made in one checkout serves another. Its locations are not
 * the memo's to keep: `parseAgentRepo` places every parse it gets back in the repo it reads.
 * A `Map` serves one run; a reader may pass one that persists between runs.
 */
export interface AgentMemo {
  get(key: string): { draft: AgentDraft | null; problems: Problem[] } | undefined;
  set(key: string, value: { draft: AgentDraft | null; problems: Problem[] }): void;
}

/**
 * A file in an agent repo as a reader found it on disk: also `not-a-file` when something
 * else is at its path, a folder (`folder: true`) or a device, pipe or socket.
 */
export type AgentFileRead = FileRead | { readonly kind: "not-a-file"; readonly folder: boolean };

/** An overlay file as a reader found it; `outside-repo` when its path leads out of the repo (a symlink). */
export type OverlayRead = AgentFileRead | { readonly kind: "outside-repo" };

/**
 * Step one of reading an agent repo: its agent.yaml, parsed. The overlays it names
 * (`draft.overlayPaths`) are for the reader to fetch next.
 */
export function parseAgentRepo(repo: string, manifest: AgentFileRead, memo?: AgentMemo): { draft: AgentDraft | null; problems: Problem[] } {
  const source: SourceLocation = { repo, path: AGENT_MANIFEST };
  if (manifest.kind === "missing") return { draft: null, problems: [problemAt(source, 1, "error", "missing-file", "does not exist; an agent repo holds an agent.yaml at its root")] };
  if (manifest.kind === "not-a-file") {
    return { draft: null, problems: [problemAt(source, 1, "error", "not-a-file", `${notAFile(manifest.folder)}; an agent repo holds an agent.yaml file at its root`)] };
  }
  if (manifest.kind === "too-large") return { draft: null, problems: [tooLarge(source, manifest.bytes, "an agent.yaml")] };
  const known = memo?.get(manifest.id);
  if (known) return placeAgent(known, source);
  const parsed = parseAgentManifest({ ...source, text: manifest.text }, repo);
  // Placed at a bare location: the draft keeps no file text (and stays small in a cache).
  const result = placeAgent({ draft: parsed.value, problems: [...parsed.problems] }, source);
  memo?.set(manifest.id, result);
  return result;
}

/** A parse of the same agent.yaml text, placed in another repo: every location in a draft is that repo's agent.yaml. */
function placeAgent(parse: { draft: AgentDraft | null; problems: readonly Problem[] }, source: SourceLocation): { draft: AgentDraft | null; problems: Problem[] } {
  const problems = parse.problems.map((problem) => relocateProblem(problem, source));
  if (!parse.draft) return { draft: null, problems };
  const { facts } = parse.draft;
  return {
    draft: { ...parse.draft, facts: { ...facts, repo: source.repo, source, requirements: facts.requirements.map((requirement) => ({ ...requirement, source })) } },
    problems,
  };
}

/**
 * Step two: the agent's facts, with the overlays the reader fetched (by path, as
 * agent.yaml names them). An overlay that is missing, too large, outside the repo or
 * broken is a problem on this agent; the agent is still read.
 */
export function buildAgentFacts(draft: AgentDraft, overlays: ReadonlyMap<string, OverlayRead>): { agent: AgentFacts; problems: Problem[]; refused: number } {
  const { facts } = draft;
  const problems: Problem[] = [];
  const built = new Map<string, OverlayFacts>();
  for (const [skill, overlay] of draft.overlayPaths) {
    const read = overlays.get(overlay.path) ?? { kind: "missing" };
    const source: SourceLocation = { repo: facts.repo, path: normalizePath(overlay.path) };
    if (read.kind === "missing") {
      problems.push(problemAt(facts.source, overlay.line, "error", "missing-file", `overlay \`${overlay.path}\` for skill \`${skill}\` does not exist in the agent repo; create it or fix the path`, facts.name));
    } else if (read.kind === "outside-repo") {
      // The schema already refuses `..` and absolute paths; a symlink can still point out.
      problems.push(problemAt(facts.source, overlay.line, "error", "path-escape", `overlay \`${overlay.path}\` resolves outside the agent repo; keep overlays inside it`, facts.name));
    } else if (read.kind === "not-a-file") {
      problems.push(
        problemAt(facts.source, overlay.line, "error", "not-a-file", `overlay \`${overlay.path}\` for skill \`${skill}\` ${notAFile(read.folder)}; point it at a markdown file in the agent repo`, facts.name),
      );
    } else if (read.kind === "too-large" || sizeOf(read.text) > MAX_FILE_BYTES) {
      // The cap holds whatever the reader: one that hands over text is measured here.
      problems.push({ ...tooLarge(source, read.kind === "too-large" ? read.bytes : sizeOf(read.text), "a skill overlay"), agent: facts.name });
    } else {
      const parsed = parseOverlay({ ...source, text: read.text }, skill);
      problems.push(...parsed.problems.map((problem) => ({ ...problem, agent: facts.name })));
      if (parsed.value) built.set(skill, { ...parsed.value, source });
    }
  }
  // Every overlay named but not used (missing, refused or broken) counts as a refused file.
  return { agent: { ...facts, overlays: built }, problems, refused: draft.overlayPaths.size - built.size };
}

/** What is at a path that should hold a file. */
function notAFile(folder: boolean): string {
  return folder ? "is a folder, not a file" : "is not a regular file (a device, a pipe or a socket)";
}

/** `./overlays//tone.md` → `overlays/tone.md`. */
function normalizePath(path: string): string {
  return path.split("/").filter((part) => part !== "" && part !== ".").join("/");
}
