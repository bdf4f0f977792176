/**
 * The same eval suite, run through blastgate's runner and through promptfoo, against the same
 * fake Messages API (test/helpers/fake-anthropic.ts: 50 ms a request, the same rate limits,
 * prompt caching as the API bills it). Prints billed input tokens (cache writes ×1.25, reads
 * ×0.1), requests and wall time side by side, and writes bench/evals-results.json.
 *
 *   npm run bench:evals                  (installs promptfoo on demand into the temp folder, not into the project)
 *   npm run bench:evals -- --cases 50 --trials 3
 *
 * Not a test: figures vary from machine to machine; the ratios are what to read.
 */
import Anthropic from "@anthropic-ai/sdk";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { assembleAgent } from "../app/core/evals/assemble-agent.ts";
import type { EvalCase, EvalSuite } from "../app/core/evals/model.ts";
import { createBuiltinRunner } from "../app/evals/builtin-runner.ts";
import { sha256Hex } from "../app/evals/hash.ts";
import { openResultStore } from "../app/evals/result-store.ts";
import { runTrials } from "../app/evals/run-trials.ts";
import { createThrottledClient } from "../app/evals/throttled-client.ts";
import { agentManifestSchema } from "../schemas/agent.schema.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../test/helpers/fake-anthropic.ts";

const run = promisify(execFile);
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const CASES = option("cases", 50);
const TRIALS = option("trials", 3);
const MODEL = "claude-sonnet-5-5";
const PROMPTFOO = "promptfoo@0.123.1";

// A skill of about 2,500 tokens (the fake counts characters / 4): the shared prefix.
const SKILL = Array.from({ length: 70 }, (_, i) => `## Rule ${i + 1}\n\nWhen a customer asks about topic ${i + 1}, answer briefly, cite the policy section ${i + 1}, and never promise a refund.\n`).join("\n");
const SYSTEM = "You are Acme's support agent. Answer in one short paragraph.";
const questions = Array.from({ length: CASES }, (_, i) => `Question ${i + 1}: how do I change the billing address on invoice ${1000 + i}?`);

/** Billed input tokens of the answers from index `from` on: base input + cache writes ×1.25 + cache reads ×0.1. */
function billed(api: FakeAnthropic, from: number) {
  const answers = api.answered.slice(from);
  let input = 0;
  let writes = 0;
  let reads = 0;
  for (const { message } of answers) {
    input += message.usage.input_tokens;
    writes += message.usage.cache_creation_input_tokens ?? 0;
    reads += message.usage.cache_read_input_tokens ?? 0;
  }
  return { requests: answers.length, inputTokens: input, cacheWrites: writes, cacheReads: reads, billedInputTokens: Math.round(input + writes * 1.25 + reads * 0.1) };
}

async function ours(api: FakeAnthropic) {
  const manifest = agentManifestSchema.parse({ name: "bench-agent", team: "support", tier: "production", skills: { "support-rules": "^1.0.0" }, evals: { runner: { type: "builtin", maxTurns: 2 } } });
  const cases: EvalCase[] = questions.map((question, i) => ({
    id: `case-${i + 1}`,
    file: "evals/bench.yaml",
    line: i + 1,
    input: question,
    tags: [],
    trials: TRIALS,
    threshold: 1,
    mocks: {},
    assertions: [{ assertion: { type: "contains", value: "billing", weight: 1 } as EvalCase["assertions"][number]["assertion"], index: 0, line: i + 1 }],
  }));
  const suite: EvalSuite = { path: "evals", cases, servers: {}, hash: sha256Hex(JSON.stringify(questions)) };
  const agent = assembleAgent({
    agent: { name: "bench-agent", team: "support", tier: "production", manifest },
    variant: { label: "head", ref: "main" },
    closure: { status: "ok", model: { ref: `model:${MODEL}`, id: MODEL }, assets: [{ asset: "skill:support-rules", version: "1.0.0", contentHash: "b".repeat(40) }] },
    servers: new Map(),
    skills: new Map([["support-rules", `---\nname: support-rules\ndescription: Rules.\n---\n# Support rules\n\n${SKILL}`]]),
    overlays: new Map(),
    system: SYSTEM,
    suiteHash: suite.hash,
    hash: sha256Hex,
  });
  const client = createThrottledClient(new Anthropic({ apiKey: api.apiKey, baseURL: api.url }));
  const from = api.answered.length;
  const start = performance.now();
  const [result] = await runTrials([{ agent, suite, runner: createBuiltinRunner({ client }) }], { client, store: await openResultStore({ kind: "no-cache" }), seed: 1 });
  const wallMs = performance.now() - start;
  return { ...billed(api, from), wallMs, trials: result!.trials.length };
}

async function promptfoo(api: FakeAnthropic) {
  const prefix = path.join(tmpdir(), "blastgate-bench-promptfoo");
  const bin = path.join(prefix, "node_modules", ".bin", "promptfoo");
  if (!existsSync(bin)) {
    console.error(`installing ${PROMPTFOO} into ${prefix} (once)…`);
    await mkdir(prefix, { recursive: true });
    await run("npm", ["install", "--prefix", prefix, PROMPTFOO, "--no-audit", "--no-fund"], { maxBuffer: 64 * 1024 * 1024 });
  }
  const dir = await mkdtemp(path.join(tmpdir(), "blastgate-bench-pf-"));
  const config = {
    description: "blastgate bench: the same suite as blastgate's runner",
    prompts: [JSON.stringify([{ role: "system", content: `${SYSTEM}\n\n<skill name="support-rules" version="1.0.0">\n${SKILL}\n</skill>` }, { role: "user", content: "{{question}}" }])],
    providers: [{ id: `anthropic:messages:${MODEL}`, config: { max_tokens: 4096 } }],
    tests: questions.map((question) => ({ vars: { question }, assert: [{ type: "contains", value: "billing" }] })),
  };
  await writeFile(path.join(dir, "promptfooconfig.yaml"), stringify(config));
  const env = {
    ...process.env,
    ANTHROPIC_API_KEY: api.apiKey,
    ANTHROPIC_BASE_URL: api.url,
    PROMPTFOO_DISABLE_TELEMETRY: "1",
    PROMPTFOO_DISABLE_UPDATE: "1",
    PROMPTFOO_DISABLE_SHARING: "1",
    PROMPTFOO_CONFIG_DIR: path.join(dir, ".promptfoo"),
  };
  const from = api.answered.length;
  const start = performance.now();
  await run(bin, ["eval", "-c", "promptfooconfig.yaml", "--no-cache", "--repeat", String(TRIALS), "-o", "out.json", "--no-progress-bar", "--no-table"], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }).catch((error: { code?: number; stderr?: string }) => {
    // promptfoo exits 100 when an assertion fails; that is a result, not a failure to run.
    if (error.code !== 100) throw error;
  });
  const wallMs = performance.now() - start;
  const out = JSON.parse(await readFile(path.join(dir, "out.json"), "utf8")) as { results: { results: unknown[] } };
  return { ...billed(api, from), wallMs, trials: out.results.results.length };
}

const api = await startFakeAnthropic({ latencyMs: 50, rateLimits: { requestsPerMinute: 4000 }, retryAfterMs: true, responder: () => ({ text: "Open Billing, then Address, and save: the billing address changes on the next invoice." }) });
try {
  const a = await ours(api);
  const b = await promptfoo(api);
  const ratio = (x: number, y: number) => Math.round((x / y) * 1000) / 1000;
  const results = {
    cases: CASES,
    trials: TRIALS,
    model: MODEL,
    fakeLatencyMs: 50,
    blastgate: a,
    promptfoo: b,
    ratios: { billedInputTokens: ratio(a.billedInputTokens, b.billedInputTokens), wallTime: ratio(a.wallMs, b.wallMs), requests: ratio(a.requests, b.requests) },
    goals: { billedInputTokens: "≤ 0.15", wallTime: "≤ 0.5" },
    node: process.versions.node,
  };
  console.log("| | blastgate | promptfoo | ratio |\n|---|---:|---:|---:|");
  console.log(`| billed input tokens | ${a.billedInputTokens.toLocaleString("en")} | ${b.billedInputTokens.toLocaleString("en")} | ${results.ratios.billedInputTokens} |`);
  console.log(`| requests | ${a.requests} | ${b.requests} | ${results.ratios.requests} |`);
  console.log(`| wall time | ${Math.round(a.wallMs)} ms | ${Math.round(b.wallMs)} ms | ${results.ratios.wallTime} |`);
  console.log(`| case-trials | ${a.trials} | ${b.trials} | |`);
  if (!args.includes("--no-write")) await writeFile(path.join(import.meta.dirname, "evals-results.json"), JSON.stringify(results, null, 2) + "\n");
} finally {
  await api.close();
}
