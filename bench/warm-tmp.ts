import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadChange, openCache } from "../app/cli/load-org.ts";
import { buildAffectedReport } from "../app/core/registry/build-affected-report.ts";
import { locateReport } from "../app/core/report/locate-report.ts";
import { readAgents } from "../app/load/read-agents.ts";
import { readRegistryChange } from "../app/load/read-registry.ts";
import { affectedReportJsonSchema } from "../schemas/affected-report.schema.ts";
const root = process.argv[2]!;
const dir = mkdtempSync(path.join(tmpdir(), "c-"));
const sources = { registry: path.join(root, "registry"), agents: [path.join(root, "agents")] };
const io = { cache: { dir, codeId: "x" }, today: "2026-05-01" };
const c0 = await openCache(io, sources); await loadChange(sources, { base: "main", head: process.argv[3] ?? "change" }, c0); await c0.save();
for (let i = 0; i < 3; i++) {
  let t = performance.now(); const lap = (name: string) => { const n = performance.now(); console.log(name, Math.round(n - t)); t = n; };
  const cache = await openCache(io, sources); lap("open cache");
  await readRegistryChange(sources.registry, { base: "main", head: process.argv[3] ?? "change" }); lap("read registry (git)");
  await readAgents(sources.agents, cache.agents); lap("read agents");
  const loaded = await loadChange(sources, { base: "main", head: process.argv[3] ?? "change" }, cache); lap("loadChange (both again)");
  const report = buildAffectedReport({ history: loaded.history, agents: loaded.agents, loadProblems: loaded.problems, refs: { base: "main", head: process.argv[3] ?? "change" }, today: "2026-05-01" }); lap("buildAffectedReport");
  const located = locateReport(report, (a) => ({ repo: a.repo, file: a.path })); lap("locate");
  affectedReportJsonSchema.parse(located); lap("zod parse");
  const text = JSON.stringify(located, null, 2); lap("stringify " + text.length);
  console.log("--");
}
