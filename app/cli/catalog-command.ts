import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { catalogSchema, type CatalogServer } from "../../schemas/catalog.schema.ts";
import { mcpServerJsonSchema, type McpServerJson } from "../../schemas/mcp-server-json.schema.ts";
import { buildCatalog } from "../core/catalog/build-catalog.ts";
import { validateOrg } from "../core/registry/build-affected-report.ts";
import { buildServerJson } from "../core/catalog/build-server-json.ts";
import { defaultGatePolicy, policyValue } from "../core/gate/parse-gate-policy.ts";
import { problemAt, sortProblems, type Problem } from "../core/problems.ts";
import { manifestPath } from "../core/registry/layout.ts";
import { locateProblem } from "../core/report/locate-report.ts";
import { formatProblem } from "../core/report/render-text.ts";
import { WORKTREE } from "../load/read-registry.ts";
import { loadAt, locateFrom, openCache, saveCache } from "./load-org.ts";
import type { CliIo } from "./main.ts";

/**
 * `blastgate catalog`: writes `catalog.json` and `servers/<name>.json` (MCP registry
 * server.json) into `out`. Returns the exit code: 1 when any problem is an error (the
 * catalog is still written for everything valid), else 0.
 *
 * 1. Read the registry at `ref` (tags, tree, gate policy) and the agents.
 * 2. Validate the org (the same problems `blastgate validate` prints).
 * 3. Build the catalog (pure) and check it against catalogSchema.
 * 4. Export each server as server.json and check it against the MCP registry's schema.
 * 5. Write the files; print problems and a one-line summary.
 */
export async function runCatalog(options: { registry: string; agents: string[]; ref: string; out: string; today: string }, io: CliIo): Promise<number> {
  const sources = { registry: options.registry, agents: options.agents };
  const cache = await openCache(io, sources);
  const loaded = await loadAt(sources, options.ref, cache);
  await saveCache(cache);
  const { agents } = loaded;
  const problems: Problem[] = validateOrg({ tags: loaded.tags, leftOut: loaded.leftOut, tree: loaded.tree, agents, loadProblems: loaded.problems, today: options.today });

  const built = catalogSchema.safeParse(buildCatalog({ tags: loaded.tags, tree: loaded.tree, agents, ref: options.ref }));
  if (!built.success) {
    // Our own output failing our own schema is a bug in blastgate, not in the registry.
    const issue = built.error.issues[0]!;
    io.stderr(`blastgate catalog: the catalog failed its own schema at \`${issue.path.join(".") || "(root)"}\` (${issue.message}); nothing was written. This is a blastgate bug; please report it.\n`);
    return 1;
  }
  const catalog = built.data;
  // An invalid policy is reported among the problems; the export still needs a namespace.
  const namespace = (policyValue(loaded.policy) ?? defaultGatePolicy()).catalog.namespace;

  const serverFiles: { name: string; json: McpServerJson }[] = [];
  for (const server of catalog.servers) {
    const json = buildServerJson(server, namespace);
    const checked = mcpServerJsonSchema.safeParse(json);
    if (checked.success) serverFiles.push({ name: server.name, json });
    else problems.push(serverJsonProblem(server, options.registry, options.ref, checked.error.issues[0]!));
  }

  await mkdir(path.join(options.out, "servers"), { recursive: true });
  await writeFile(path.join(options.out, "catalog.json"), toJson(catalog));
  for (const file of serverFiles) await writeFile(path.join(options.out, "servers", `${file.name}.json`), toJson(file.json));

  const sorted = sortProblems(problems);
  const locate = locateFrom(io.cwd);
  for (const problem of sorted) io.stdout(formatProblem(locateProblem(problem, locate)) + "\n");
  const shownOut = path.relative(io.cwd, options.out) || ".";
  io.stdout(`blastgate catalog: wrote ${plural(serverFiles.length, "server")}, ${plural(catalog.skills.length, "skill")} to ${shownOut}\n`);
  return sorted.some((problem) => problem.level === "error") ? 1 : 0;
}

function serverJsonProblem(server: CatalogServer, repo: string, ref: string, issue: { path: readonly PropertyKey[]; message: string }): Problem {
  const field = issue.path.map(String).join(".") || "(root)";
  // The mirror's own messages are noun phrases ("a specific version, not `latest`"); zod's defaults are sentences.
  const expected = /^[a-z]/.test(issue.message) ? `expected \`${field}\` to be ${issue.message}` : `\`${field}\`: ${issue.message}`;
  const fix = field === "name" ? "shorten `catalog.namespace` in .github/blastgate.yml" : "fix it in server.yaml";
  const source = { repo, path: manifestPath("server", server.name), ...(ref === WORKTREE ? {} : { ref }) };
  return problemAt(
    source,
    1,
    "error",
    "server-json",
    `exports as a server.json the MCP registry would reject: ${expected}; ${fix}. servers/${server.name}.json was not written`,
  );
}

function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
