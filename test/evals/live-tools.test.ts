import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseYamlFile } from "../../app/core/files/parse-yaml.ts";
import { createBuiltinRunner } from "../../app/evals/builtin-runner.ts";
import { createLiveTools, type LiveToolSession } from "../../app/evals/live-tools.ts";
import { serverManifestSchema } from "../../schemas/server.schema.ts";
import { sampleAgent, sampleCase } from "../helpers/assembled-agent.ts";
import { scriptedClient, toolResults } from "../helpers/scripted-client.ts";

const root = path.join(import.meta.dirname, "..", "..");
const serverYaml = "examples/org/registry/servers/ticketing/server.yaml";
const parsed = parseYamlFile({ repo: root, path: serverYaml, text: readFileSync(path.join(root, serverYaml), "utf8") }, serverManifestSchema, "a server.yaml");
if (parsed.kind !== "ok") throw new Error("the example ticketing server.yaml does not parse");
const ticketing = parsed.value;

/** The example agent with the example org's real ticketing contract, at the version it declares. */
const agent = sampleAgent({
  servers: new Map([["ticketing", ticketing]]),
  closure: { status: "ok", model: { ref: "model:default", id: "claude-sonnet-5-5" }, assets: [{ asset: "server:ticketing", version: ticketing.version, contentHash: "t1" }] },
  skills: new Map(),
  overlays: new Map(),
});

const exampleServer = { command: [process.execPath, path.join(root, "examples/mcp/ticketing-server.ts")], env: {} };

let session: LiveToolSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

describe("the builtin runner with a live MCP server", () => {
  it("calls the example ticketing server over stdio and gives the model its answers", async () => {
    session = createLiveTools({ servers: { ticketing: exampleServer }, cwd: root });
    const client = scriptedClient((params, index) => {
      if (index === 0) return { text: "Let me look.", tools: [{ name: "ticketing__update_ticket_status", input: { ticket_id: 4711, status: "pending", priority: "high" }, id: "t1" }] };
      if (index === 1) return { tools: [{ name: "ticketing__get_ticket", input: { ticket_id: 4711 }, id: "t2" }] };
      const ticket = JSON.parse(toolResults(params)["t2"]!.text) as { subject: string; status: string; priority: string };
      return { text: `${ticket.subject}: ${ticket.status}, ${ticket.priority}` };
    });
    const transcript = await createBuiltinRunner({ client, live: session }).run(agent, { case: sampleCase({ id: "refund-4711" }), trial: 1 });

    expect(transcript.stop).toBe("end");
    // The second call sees the first one's change: one server process for the whole run.
    expect(transcript.output).toBe("Refund for a double charge: pending, high");
    expect(transcript.toolCalls.map(({ server, tool, isError, source }) => ({ server, tool, isError, source }))).toEqual([
      { server: "ticketing", tool: "update_ticket_status", isError: false, source: "live" },
      { server: "ticketing", tool: "get_ticket", isError: false, source: "live" },
    ]);
    expect(transcript.toolCalls[0]!.output).toBe('{"id":4711,"status":"pending","priority":"high"}');
    expect(transcript.modelCalls).toHaveLength(3);
  });

  it("prefers the case's mock, and passes a live tool's own error to the model", async () => {
    session = createLiveTools({ servers: { ticketing: exampleServer }, cwd: root });
    const client = scriptedClient((_params, index) =>
      index === 0
        ? { tools: [{ name: "ticketing__get_ticket", input: { ticket_id: 1 }, id: "mocked" }, { name: "ticketing__get_ticket", input: { ticket_id: 99 }, id: "live" }] }
        : { text: "done" },
    );
    const kase = sampleCase({ mocks: { "ticketing.get_ticket": [{ when: { ticket_id: 1 }, returns: { id: 1, subject: "mocked" } }] } });
    const transcript = await createBuiltinRunner({ client, live: session }).run(agent, { case: kase, trial: 1 });
    expect(transcript.toolCalls.map(({ output, isError, source }) => ({ output, isError, source }))).toEqual([
      { output: { id: 1, subject: "mocked" }, isError: false, source: "mock" },
      { output: "no ticket 99", isError: true, source: "live" },
    ]);
    expect(toolResults(client.requests[1]!)).toEqual({ mocked: { text: '{"id":1,"subject":"mocked"}', isError: false }, live: { text: "no ticket 99", isError: true } });
  });

  it("starts from fresh data after close: the server process ended with the run", async () => {
    session = createLiveTools({ servers: { ticketing: exampleServer }, cwd: root });
    await session.call("ticketing", "update_ticket_status", { ticket_id: 4712, status: "solved" });
    expect(await session.call("ticketing", "get_ticket", { ticket_id: 4712 })).toMatchObject({ output: expect.stringContaining('"status":"solved"') });
    await session.close();
    expect(await session.call("ticketing", "get_ticket", { ticket_id: 4712 })).toMatchObject({ output: expect.stringContaining('"status":"new"'), isError: false });
  });

  it("reports a server that does not start as a tool error, and the trial goes on", async () => {
    session = createLiveTools({ servers: { ticketing: { command: ["./no-such-server"], env: {} } }, cwd: root });
    const client = scriptedClient((params, index) => (index === 0 ? { tools: [{ name: "ticketing__get_ticket", input: { ticket_id: 1 }, id: "x" }] } : { text: toolResults(params)["x"]!.text }));
    const transcript = await createBuiltinRunner({ client, live: session }).run(agent, { case: sampleCase(), trial: 1 });
    expect(transcript.stop).toBe("end");
    expect(transcript.toolCalls[0]).toMatchObject({ isError: true, source: "live" });
    expect(transcript.output).toMatch(/^live server ticketing could not be reached: \.\/no-such-server: .*ENOENT/);
  });
});

describe("live tools over Streamable HTTP", () => {
  let http: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve())));

  it("calls a tool on an MCP endpoint by URL, with its structured content as output", async () => {
    // A stateless MCP endpoint on loopback: a fresh server and transport per request.
    http = createServer(async (req, res) => {
      const server = new McpServer({ name: "crm", version: "2.1.0" });
      server.registerTool("get_account", { inputSchema: { account_id: z.string() }, outputSchema: { id: z.string(), plan: z.string() } }, ({ account_id }) => ({
        content: [{ type: "text", text: `account ${account_id}` }],
        structuredContent: { id: account_id, plan: "team" },
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on("close", () => void transport.close());
      await server.connect(transport);
      await transport.handleRequest(req, res);
    });
    await new Promise<void>((resolve) => http!.listen(0, "127.0.0.1", resolve));
    const { port } = http.address() as AddressInfo;
    session = createLiveTools({ servers: { crm: { url: `http://127.0.0.1:${port}/mcp` } }, cwd: root });
    expect(session.has("crm")).toBe(true);
    expect(session.has("billing")).toBe(false);
    expect(await session.call("crm", "get_account", { account_id: "A-1" })).toEqual({ output: { id: "A-1", plan: "team" }, isError: false });
    expect(await session.call("crm", "no_such_tool", {})).toMatchObject({ isError: true });
    await session.close();
    session = undefined;
  });
});
