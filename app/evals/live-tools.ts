// Live MCP servers for the builtin runner: tools no mock answers are called on the server the
// suite names (`servers:` in a suite file), over stdio or Streamable HTTP. One connection per
// server per run, opened on the first call and closed at the end.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JsonValue, LiveServer } from "../core/evals/model.ts";

/** What a live tool call returned: its text, or its structured content, and whether it failed. */
export interface LiveToolResult {
  readonly output: JsonValue;
  readonly isError: boolean;
}

/** Tools on live MCP servers, by server name. */
export interface LiveTools {
  /** True when the suite configured a live server of this name. */
  has(server: string): boolean;
  /** Calls a tool. Never throws: a server that cannot be reached, or a call that fails, is a result with `isError`. */
  call(server: string, tool: string, input: Readonly<Record<string, unknown>>, signal?: AbortSignal): Promise<LiveToolResult>;
}

/** Live tools for one run; `close` ends every connection (and every stdio server process). */
export interface LiveToolSession extends LiveTools {
  close(): Promise<void>;
}

/** How much of a stdio server's stderr is kept to explain a failure. */
const STDERR_TAIL = 2000;

/**
 * Live tools for the servers a suite names. `cwd` is the agent repo: stdio servers' commands
 * run there, without a shell, with the suite's `env` over the MCP SDK's default environment
 * (PATH, HOME and the like; not the rest of ours, so no API key leaks to a server by accident).
 */
export function createLiveTools(options: { servers: Readonly<Record<string, LiveServer>>; cwd: string; callTimeoutMs?: number }): LiveToolSession {
  const connections = new Map<string, Promise<{ client: Client; stderr: () => string }>>();

  const connect = (name: string, server: LiveServer) => {
    let connection = connections.get(name);
    if (!connection) {
      connection = open(server, options.cwd);
      connections.set(name, connection);
    }
    return connection;
  };

  return {
    has: (server) => Object.hasOwn(options.servers, server),
    async call(server, tool, input, signal) {
      const config = options.servers[server];
      if (!config || !Object.hasOwn(options.servers, server)) return { output: `no live server named ${server} in the suite`, isError: true };
      let connection: Awaited<ReturnType<typeof connect>>;
      try {
        connection = await connect(server, config);
      } catch (error) {
        return { output: `live server ${server} could not be reached: ${messageOf(error)}`, isError: true };
      }
      try {
        const result = await connection.client.callTool({ name: tool, arguments: { ...input } }, undefined, {
          ...(signal ? { signal } : {}),
          ...(options.callTimeoutMs ? { timeout: options.callTimeoutMs } : {}),
        });
        return { output: outputOf(result), isError: result.isError === true };
      } catch (error) {
        const tail = connection.stderr().trim();
        return { output: `${server}.${tool} failed on the live server: ${messageOf(error)}${tail ? `\n${tail}` : ""}`, isError: true };
      }
    },
    async close() {
      const open = [...connections.values()];
      connections.clear();
      await Promise.allSettled(open.map(async (connection) => (await connection).client.close()));
    },
  };
}

async function open(server: LiveServer, cwd: string): Promise<{ client: Client; stderr: () => string }> {
  let stderr = "";
  let transport: Transport;
  if ("url" in server) {
    transport = new StreamableHTTPClientTransport(new URL(server.url));
  } else {
    const [command, ...args] = server.command;
    const stdio = new StdioClientTransport({ command: command!, args, env: { ...server.env }, cwd, stderr: "pipe" });
    // Drained as it comes, so a chatty server never blocks on a full pipe; the tail explains failures.
    stdio.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL)));
    transport = stdio;
  }
  const client = new Client({ name: "blastgate", version: "1" });
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close().catch(() => undefined);
    const tail = stderr.trim();
    throw new Error(`${describe(server)}: ${messageOf(error)}${tail ? `\n${tail}` : ""}`, { cause: error });
  }
  return { client, stderr: () => stderr };
}

/** What a tool result shows: its structured content when it has some, else its text; other content as a short description. */
function outputOf(result: Awaited<ReturnType<Client["callTool"]>>): JsonValue {
  if (result.structuredContent !== undefined && result.structuredContent !== null) return result.structuredContent as JsonValue;
  const content = Array.isArray(result.content) ? (result.content as { type: string; text?: string; mimeType?: string }[]) : [];
  if (content.every((block) => block.type === "text")) return content.map((block) => block.text ?? "").join("\n");
  return content.map((block) => (block.type === "text" ? (block.text ?? "") : { type: block.type, ...(block.mimeType ? { mimeType: block.mimeType } : {}) }));
}

function describe(server: LiveServer): string {
  return "url" in server ? server.url : server.command.join(" ");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
