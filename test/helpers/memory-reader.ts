import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { AGENT_MANIFEST, buildAgentFacts, parseAgentRepo, type OverlayRead } from "../../app/core/registry/build-agent.ts";
import type { FileRead, RegistryRead, TagRead, TreeRead } from "../../app/core/registry/build-registry-history.ts";
import { assetFolder, GATE_POLICY_FILE, kindOfFolder, manifestPath, MODELS_FILE, releaseTag } from "../../app/core/registry/layout.ts";
import type { AgentFacts } from "../../app/core/registry/model.ts";
import type { Problem } from "../../app/core/problems.ts";

/**
 * A second reader, beside the git one: it knows nothing of git, and reads the example
 * org's source folders (examples/org) straight into memory. Content ids are git's
 * object ids, computed here, so the facts it hands the core are the ones git's would be.
 */

/** Files of a tree by repo-relative path. */
export type Files = ReadonlyMap<string, Buffer>;

function sha1(...parts: (string | Buffer)[]): string {
  const hash = createHash("sha1");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

/** git's blob id for a file's content. */
export function blobId(content: Buffer): string {
  return sha1(`blob ${content.length}\0`, content);
}

/** git's tree id for a folder's files (regular files only, paths relative to the folder). */
export function treeId(files: Files): string {
  const children = new Map<string, { mode: string; id: string }>();
  const subfolders = new Map<string, Map<string, Buffer>>();
  for (const [file, content] of files) {
    const slash = file.indexOf("/");
    if (slash < 0) {
      children.set(file, { mode: "100644", id: blobId(content) });
    } else {
      const name = file.slice(0, slash);
      if (!subfolders.has(name)) subfolders.set(name, new Map());
      subfolders.get(name)!.set(file.slice(slash + 1), content);
    }
  }
  for (const [name, inner] of subfolders) children.set(name, { mode: "40000", id: treeId(inner) });
  // git orders entries by name, a folder's name as if it ended in `/`.
  const sortKey = (name: string) => (children.get(name)!.mode === "40000" ? `${name}/` : name);
  const entries = [...children.keys()].sort((a, b) => Buffer.compare(Buffer.from(sortKey(a)), Buffer.from(sortKey(b))));
  const body = Buffer.concat(entries.map((name) => Buffer.concat([Buffer.from(`${children.get(name)!.mode} ${name}\0`), Buffer.from(children.get(name)!.id, "hex")])));
  return sha1(`tree ${body.length}\0`, body);
}

/** Every regular file under `dir`, by path relative to it. */
export function readFolder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join("/"), readFileSync(full));
  }
  return files;
}

function fileRead(files: Files, file: string): FileRead {
  const content = files.get(file);
  return content === undefined ? { kind: "missing" } : { kind: "text", text: content.toString("utf8"), id: blobId(content) };
}

/** Files under `prefix/` of a tree, relative to it. */
function within(files: Files, prefix: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [file, content] of files) if (file.startsWith(`${prefix}/`)) out.set(file.slice(prefix.length + 1), content);
  return out;
}

/** A registry tree as the core takes it: each asset folder's tree id and manifest, and models.yaml. */
export function treeRead(files: Files, ref: string | undefined): TreeRead {
  const folders = new Set<string>();
  for (const file of files.keys()) {
    const [top, name, rest] = file.split("/");
    if (kindOfFolder(top!) && name && rest !== undefined) folders.add(`${top}/${name}`);
  }
  return {
    ref,
    folders: [...folders].sort().map((folder) => {
      const [top, name] = folder.split("/") as [string, string];
      const kind = kindOfFolder(top)!;
      return { kind, name, treeId: treeId(within(files, folder)), manifest: fileRead(files, manifestPath(kind, name)) };
    }),
    models: fileRead(files, MODELS_FILE),
  };
}

/** One release: a tag and its asset folder's files. */
export interface Release {
  readonly tag: string;
  readonly folder: Files;
  readonly kind: "server" | "skill";
  readonly name: string;
}

/** A tag as the core takes it. */
export function tagRead(release: Release): TagRead {
  return { tag: release.tag, folder: { treeId: treeId(release.folder), manifest: fileRead(release.folder, release.kind === "server" ? "server.yaml" : "SKILL.md") } };
}

/**
 * The example org's registry at `main` (registry/), every release (history/ and the
 * latest in registry/, tagged `<kind>s/<name>@<version>`), and one change from changes/
 * as the head: its files written over main's, the paths in its DELETE file removed.
 */
export function readExampleRegistry(source: string, change: string): { registry: RegistryRead; policy: FileRead } {
  const main = readFolder(path.join(source, "registry"));
  const releases: Release[] = [];
  for (const top of ["servers", "skills"] as const) {
    const kind = kindOfFolder(top)!;
    for (const folder of readdirSync(path.join(source, "history", top)).sort()) {
      const [name, version] = folder.split("@") as [string, string];
      releases.push({ tag: releaseTag(kind, name, version), folder: readFolder(path.join(source, "history", top, folder)), kind, name });
    }
    for (const name of readdirSync(path.join(source, "registry", top)).sort()) {
      const folder = within(main, assetFolder(kind, name));
      const version = versionOf(kind, folder);
      releases.push({ tag: releaseTag(kind, name, version), folder, kind, name });
    }
  }
  const head = new Map(main);
  const changeDir = path.join(source, "changes", change);
  for (const [file, content] of readFolder(changeDir)) if (file !== "CHANGE.md" && file !== "DELETE") head.set(file, content);
  const deletions = (readFolder(changeDir).get("DELETE")?.toString("utf8") ?? "").split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
  for (const deleted of deletions) for (const file of [...head.keys()]) if (file === deleted || file.startsWith(`${deleted}/`)) head.delete(file);
  return {
    registry: { repo: "registry", tags: releases.map(tagRead), base: treeRead(main, "main"), head: treeRead(head, `change/${change}`) },
    policy: fileRead(main, GATE_POLICY_FILE),
  };
}

function versionOf(kind: "server" | "skill", folder: Files): string {
  const text = folder.get(kind === "server" ? "server.yaml" : "SKILL.md")!.toString("utf8");
  const match = kind === "server" ? /^version:\s*"?([^"\s]+)"?/m.exec(text) : /^\s+version:\s*"?([^"\s]+)"?/m.exec(text);
  return match![1]!;
}

/** The example org's agents, each repo named by its folder (`agents/<name>`), read from memory. */
export function readExampleAgents(source: string): { agents: AgentFacts[]; problems: Problem[]; refused: number } {
  const agents: AgentFacts[] = [];
  const problems: Problem[] = [];
  let refused = 0;
  for (const name of readdirSync(path.join(source, "agents")).sort()) {
    const files = readFolder(path.join(source, "agents", name));
    const repo = `agents/${name}`;
    const parsed = parseAgentRepo(repo, fileRead(files, AGENT_MANIFEST));
    problems.push(...parsed.problems);
    if (!parsed.draft) {
      refused++;
      continue;
    }
    const overlays = new Map<string, OverlayRead>();
    for (const { path: overlay } of parsed.draft.overlayPaths.values()) overlays.set(overlay, fileRead(files, overlay));
    const built = buildAgentFacts(parsed.draft, overlays);
    agents.push(built.agent);
    problems.push(...built.problems);
    refused += built.refused;
  }
  return { agents, problems, refused };
}
