/**
 * Records the example org's eval cassettes (examples/org/cassettes/<agent>/), so
 * `npm run example -- eval <agent>` shows a job summary offline.
 *
 * The example has no Anthropic account behind it: the cassettes are recorded against the
 * project's fake Messages API (test/helpers/fake-anthropic.ts) with a scripted model that
 * triages every ticket to billing and answers in one line. They show the format, the flow
 * and the grading of real suites, not how well Claude does; record your own agent's against
 * the real API with `blastgate eval --record DIR`.
 *
 *   scripts/node24 node scripts/record-example-cassettes.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { main } from "../app/cli/main.ts";
import { startFakeAnthropic, type Responder } from "../test/helpers/fake-anthropic.ts";
import { buildExampleOrg } from "./build-example-org.ts";

export const CASSETTE_AGENTS = ["support-triage", "lead-qualifier"] as const;

// The rubric judge's requests carry no tools: a scripted judge passes a reply that routes to billing when the rubric is about billing.
const judge = (request: Parameters<Responder>[0]) => {
  const asked = JSON.stringify(request.messages);
  const billing = /billing/i.test(asked.split("<final_output>")[0] ?? "") && /billing team/i.test(asked);
  return { text: JSON.stringify({ pass: billing, score: billing ? 0.8 : 0.2, reason: billing ? "The reply routes the ticket to billing as the rubric asks." : "The reply does not do what the rubric asks: it only says the ticket went to billing." }) };
};

const scripted: Responder = (request, ctx) =>
  request.tools === undefined
    ? judge(request)
    : ctx.turn === 0 && request.tools?.some((tool) => "name" in tool && tool.name === "ticketing__assign_ticket")
    ? { content: [{ type: "tool_use", name: "ticketing__assign_ticket", input: { ticket_id: 48401, group: "billing" } }] }
    : { text: "Hi, thanks for writing in. I've assigned your ticket to our billing team; they will look at the charge today." };

const root = path.join(import.meta.dirname, "..");
const work = await mkdtemp(path.join(tmpdir(), "blastgate-cassettes-"));
const api = await startFakeAnthropic({ responder: scripted });
try {
  const org = await buildExampleOrg(path.join(work, "org"));
  for (const agent of CASSETTE_AGENTS) {
    const cassette = path.join(root, "examples", "org", "cassettes", agent);
    await rm(cassette, { recursive: true, force: true });
    const code = await main(["eval", "--agent", path.join(org.agents, agent), "--registry", org.registry, "--record", cassette, "--format", "text"], {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      cwd: root,
      today: new Date().toISOString().slice(0, 10),
      cache: null,
      anthropic: { apiKey: api.apiKey, baseURL: api.url },
    });
    console.log(`recorded ${agent} (blastgate exited ${code})`);
  }
} finally {
  await api.close();
  await rm(work, { recursive: true, force: true });
}
