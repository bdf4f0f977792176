import { Command, Option } from "commander";
import path from "node:path";
import { catalogSchema, type CatalogServer } from "../../../schemas/catalog.schema.ts";
import { mcpServerJsonSchema } from "../../../schemas/mcp-server-json.schema.ts";
import { buildCatalog } from "../../core/catalog/build-catalog.ts";
import { buildServerJson } from "../../core/catalog/build-server-json.ts";
import { planServerExport } from "../../core/catalog/plan-server-export.ts";
import { policyValue } from "../../core/gate/parse-gate-policy.ts";
import { problemAt, sortProblems, type Problem } from "../../core/problems.ts";
import { validateOrg } from "../../core/registry/build-affected-report.ts";
import { plural } from "../../core/report/plural.ts";
import { GATE_POLICY_FILE, manifestPath } from "../../core/registry/layout.ts";
import { locateProblem } from "../../core/report/locate-report.ts";
import { formatProblem } from "../../core/report/render-text.ts";
import { WORKTREE } from "../../load/read-registry.ts";
import { removeStaleFiles } from "../../load/remove-stale-files.ts";
import { writeFiles, type OutputFile } from "../../load/write-files.ts";
import type { CliIo } from "../cli-io.ts";
import { exitForProblems, type ExitCode } from "../exit-codes.ts";
import { InternalError } from "../internal-error.ts";
import { locateFrom, readAtFor } from "../load-org.ts";
import { agentsOption, refOption, registryOption, requireOption, todayOption } from "../options.ts";

/** The options of `blastgate catalog`, as commander parses them. */
export interface CatalogOptions {
  readonly registry: string;
  readonly agents: readonly string[];
  readonly ref?: string;
  readonly out: string;
  readonly today: string;
}

/** `blastgate catalog`: its name, help and options. */
export function defineCatalog(io: CliIo): Command {
  return new Command("catalog")
    .description("write catalog.json and one MCP registry server.json per server")
    .addOption(registryOption())
    .addOption(agentsOption())
    .addOption(refOption("read"))
    .addOption(requireOption(new Option("--out <dir>", "the folder to write into (required)")))
    .addOption(todayOption(io));
}

/**
 * Runs `blastgate catalog`: writes `catalog.json` and `servers/<name>.json` (MCP registry
 * server.json) into `--out`, and removes the `servers/*.json` an earlier run left that this
 * one did not write. Exits 1 when any problem is an error (the catalog is still written for
 * everything valid), else 0.
 *
 * 1. Read the registry at `--ref` (tags, tree, gate policy) and the agents.
 * 2. Validate the org (the same problems `blastgate validate` prints).
 * 3. Build the catalog (pure) and check it against catalogSchema.
 * 4. Plan the export (pure: none without a valid policy, none for a server.yaml that is
 *    unreadable at the ref or whose name collides); export each planned server as
 *    server.json and check it against the MCP registry's schema.
 * 5. Write the files, remove stale server.json files; print problems and a one-line summary.
 */
export async function runCatalog(options: CatalogOptions, io: CliIo): Promise<ExitCode> {
  const ref = options.ref ?? WORKTREE;
  const loaded = await readAtFor(options, io, ref);
  const { sources } = loaded;
  const { agents } = loaded;
  const problems: Problem[] = validateOrg({ tags: loaded.tags, leftOut: loaded.leftOut, tree: loaded.tree, agents, loadProblems: loaded.problems, today: options.today });

  const built = catalogSchema.safeParse(buildCatalog({ tags: loaded.tags, tree: loaded.tree, agents, ref }));
  if (!built.success) {
    // Our own output failing our own schema is a bug in blastgate, not in the registry.
    const issue = built.error.issues[0]!;
    throw new InternalError(`the catalog failed its own schema at \`${issue.path.join(".") || "(root)"}\` (${issue.message}); nothing was written`, { cause: built.error });
  }
  const catalog = built.data;
  // An invalid policy is reported among the problems; then no server.json is exported (the plan says so).
  const namespace = policyValue(loaded.policy)?.catalog.namespace ?? null;
  const policySource = { repo: sources.registry, path: GATE_POLICY_FILE, ...(ref === WORKTREE ? {} : { ref }) };
  const plan = planServerExport({ tags: loaded.tags, tree: loaded.tree, namespace }, policySource);
  problems.push(...plan.problems);

  const files: OutputFile[] = [{ path: "catalog.json", text: toJson(catalog) }];
  for (const server of catalog.servers) {
    if (namespace === null || !plan.exported.has(server.name)) continue;
    const json = buildServerJson(server, namespace);
    const checked = mcpServerJsonSchema.safeParse(json);
    if (checked.success) files.push({ path: path.join("servers", `${server.name}.json`), text: toJson(json) });
    else problems.push(serverJsonProblem(server, sources.registry, ref, checked.error.issues[0]!));
  }
  // Shown as the user wrote it, so an error names the path they typed.
  const shownOut = path.normalize(options.out);
  const out = { dir: path.resolve(io.cwd, options.out), shown: shownOut };
  await writeFiles(out, files);
  // A server that no longer exports must not keep an earlier run's file.
  const removed = await removeStaleFiles(out, "servers", ".json", new Set(files.map((file) => file.path)));

  const sorted = sortProblems(problems);
  const locate = locateFrom(io.cwd);
  for (const problem of sorted) io.stdout(formatProblem(locateProblem(problem, locate)) + "\n");
  const stale = removed.length === 0 ? "" : `; removed ${removed.join(", ")}, left by an earlier run`;
  io.stdout(`blastgate catalog: wrote ${plural(files.length - 1, "server")}, ${plural(catalog.skills.length, "skill")} to ${shownOut}${stale}\n`);
  return exitForProblems(sorted);
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
