import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { main, type CliIo } from "../../app/cli/main.ts";

/** A throwaway folder with a real git registry repo and an agents folder. */
export interface TempOrg {
  readonly root: string;
  readonly registry: string;
  readonly agents: string;
  /** Writes files relative to the registry (a null value deletes the file). */
  write(files: Readonly<Record<string, string | null>>): void;
  /** Writes files relative to the agents folder. */
  writeAgent(name: string, manifest: Record<string, unknown>, files?: Readonly<Record<string, string>>): void;
  git(...args: string[]): string;
  /** Commits everything in the registry and tags the given releases (`servers/crm@1.0.0`). */
  commit(message: string, ...tags: string[]): void;
  /** Runs the CLI in process from `cwd` (default: the registry). */
  run(argv: readonly string[], cwd?: string, io?: Partial<CliIo>): Promise<{ code: number; stdout: string; stderr: string }>;
  remove(): void;
}

/** Creates a registry repo with `main` checked out and no commits. */
export function createTempOrg(): TempOrg {
  const root = mkdtempSync(path.join(tmpdir(), "blastgate-test-"));
  const registry = path.join(root, "registry");
  const agents = path.join(root, "agents");
  mkdirSync(registry, { recursive: true });
  mkdirSync(agents, { recursive: true });
  // A clean environment: no user or system git config changes what these tests see.
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z" };
  const git = (...args: string[]) => execFileSync("git", args, { cwd: registry, env, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Test");
  git("config", "user.email", "test@example.com");
  git("config", "commit.gpgsign", "false");
  const writeFiles = (base: string, files: Readonly<Record<string, string | null>>) => {
    for (const [file, text] of Object.entries(files)) {
      const target = path.join(base, file);
      if (text === null) {
        rmSync(target, { force: true });
        continue;
      }
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
  };
  return {
    root,
    registry,
    agents,
    write: (files) => writeFiles(registry, files),
    writeAgent: (name, manifest, files = {}) => writeFiles(path.join(agents, name), { "agent.yaml": stringify(manifest), ...files }),
    git,
    commit(message, ...tags) {
      git("add", "--all");
      git("commit", "-q", "--allow-empty", "-m", message);
      for (const tag of tags) git("tag", tag);
    },
    async run(argv, cwd = registry, extra = {}) {
      let stdout = "";
      let stderr = "";
      const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, today: "2026-11-24", ...extra };
      const code = await main(argv, io);
      return { code, stdout, stderr };
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A server.yaml with the fields that matter to a test. */
export function serverYaml(name: string, version: string, options: { tools?: unknown[]; scopes?: string[]; dependsOn?: Record<string, string>; description?: string } = {}): string {
  return stringify({
    name,
    title: name.toUpperCase(),
    description: options.description ?? `The ${name} server`,
    version,
    owner: "platform",
    lifecycle: "production",
    scopes: options.scopes ?? [],
    tools: options.tools ?? [],
    ...(options.dependsOn ? { dependsOn: { servers: options.dependsOn } } : {}),
  });
}

/** A SKILL.md with frontmatter and `## ` sections. */
export function skillMd(name: string, version: string, options: { requires?: string; sections?: string[]; body?: string } = {}): string {
  const metadata: Record<string, string> = { version, owner: "platform" };
  if (options.requires) metadata.requires = options.requires;
  const front = stringify({ name, description: `Use when working on ${name}.`, metadata });
  const sections = (options.sections ?? ["Steps"]).map((heading) => `## ${heading}\n\nText for ${heading}.\n`).join("\n");
  return `---\n${front}---\n\n# ${name}\n\n${options.body ?? ""}${sections}`;
}

/** A models.yaml. */
export function modelsYaml(defaultModel = "claude-sonnet-5-5", aliases: Record<string, string> = { fast: "claude-haiku-5-5" }): string {
  return stringify({ default: defaultModel, aliases });
}
