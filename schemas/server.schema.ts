import { z } from "zod";
import { exactVersion, kebabName, scopeName, teamName, versionRange } from "./common.ts";

// The `packages` and `remotes` shapes follow the MCP registry's server.json
// (schema 2025-12-11), so a catalog entry exports as a valid server.json.
const input = z.object({
  description: z.string().optional(),
  isRequired: z.boolean().optional(),
  format: z.enum(["string", "number", "boolean", "filepath"]).optional(),
  value: z.string().optional(),
  isSecret: z.boolean().optional(),
  default: z.string().optional(),
  placeholder: z.string().optional(),
  choices: z.array(z.string()).optional(),
});
const keyValueInput = input.extend({ name: z.string().min(1) });
const argument = z.union([
  input.extend({ type: z.literal("positional"), valueHint: z.string().optional(), isRepeated: z.boolean().optional() }),
  input.extend({ type: z.literal("named"), name: z.string().min(1), isRepeated: z.boolean().optional() }),
]);
// Streamable HTTP URLs may start with a `{variable}` (MCP registry 2025-12-11); SSE URLs must be plain URLs.
const remoteUrl = z.string().regex(/^(https?:\/\/|\{)[^\s]+$/, { message: "an http(s) URL such as `https://crm.example.com/mcp`" });
const sseUrl = z.string().regex(/^https?:\/\/[^\s]+$/, { message: "an http(s) URL such as `https://crm.example.com/sse`" });
const remote = z.discriminatedUnion("type", [
  z.object({ type: z.literal("streamable-http"), url: remoteUrl, headers: z.array(keyValueInput).optional() }),
  z.object({ type: z.literal("sse"), url: sseUrl, headers: z.array(keyValueInput).optional() }),
]);
const transport = z.discriminatedUnion("type", [
  z.object({ type: z.literal("stdio") }),
  z.object({ type: z.literal("streamable-http"), url: remoteUrl, headers: z.array(keyValueInput).optional() }),
  z.object({ type: z.literal("sse"), url: sseUrl, headers: z.array(keyValueInput).optional() }),
]);
const mcpPackage = z.strictObject({
  registryType: z.string().min(1).meta({ description: "npm, pypi, oci, nuget or mcpb." }),
  registryBaseUrl: z.url().optional(),
  identifier: z.string().min(1),
  version: z
    .string()
    .min(1)
    .refine((value) => value !== "latest", { message: "a specific version, not `latest`" })
    .optional(),
  fileSha256: z.string().regex(/^[a-f0-9]{64}$/, { message: "64 lowercase hex digits" }).optional(),
  runtimeHint: z.string().optional(),
  transport,
  runtimeArguments: z.array(argument).optional(),
  packageArguments: z.array(argument).optional(),
  environmentVariables: z.array(keyValueInput).optional(),
});

/** JSON Schema as written in a tool contract; kept as data and compared structurally. */
export const jsonSchemaObject = z
  .record(z.string(), z.unknown())
  .meta({ description: "A JSON Schema object, as MCP's `tools/list` returns in `inputSchema`." });

const tool = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,128}$/, { message: "a tool name of letters, digits, `_`, `-` or `.`" })
    .meta({ description: "The tool's name as the server lists it." }),
  description: z.string().min(1).meta({ description: "What the model reads to decide when to call it." }),
  inputSchema: jsonSchemaObject.meta({ description: "The tool's input, as JSON Schema (type: object)." }),
  scopes: z.array(scopeName).default([]).meta({ description: "Scopes a caller needs for this tool." }),
});

/** `servers/<name>/server.yaml`: one shared MCP server's catalog entry and tool contract. */
export const serverManifestSchema = z
  .strictObject({
    name: kebabName.meta({ description: "The server's name; equals its folder under servers/." }),
    title: z.string().min(1).max(100).meta({ description: "A human-readable name." }),
    description: z
      .string()
      .min(1)
      .max(100)
      .meta({ description: "What the server offers, in at most 100 characters (the MCP registry's limit)." }),
    version: exactVersion.meta({ description: "This release's exact semver version; published as tag `servers/<name>@<version>`." }),
    owner: teamName.meta({ description: "The owning team." }),
    lifecycle: z.enum(["experimental", "production", "deprecated"]).meta({ description: "Support level." }),
    websiteUrl: z.url().optional(),
    repository: z
      .strictObject({ url: z.url(), source: z.string().min(1), id: z.string().optional(), subfolder: z.string().optional() })
      .optional()
      .meta({ description: "Where the server's source lives." }),
    packages: z.array(mcpPackage).default([]).meta({ description: "How to install and run it (MCP registry shape)." }),
    remotes: z.array(remote).default([]).meta({ description: "Where it is hosted (MCP registry shape)." }),
    scopes: z.array(scopeName).default([]).meta({ description: "Every scope the server can act with." }),
    guarantees: z
      .strictObject({
        availability: z.string().optional().meta({ description: "e.g. `99.9%`." }),
        dataClassification: z.enum(["public", "internal", "confidential", "restricted"]).optional(),
        rateLimit: z.string().optional().meta({ description: "e.g. `600/min per agent`." }),
        support: z.string().optional().meta({ description: "Where to ask for help, e.g. a channel." }),
      })
      .default({})
      .meta({ description: "What the owning team promises to every consumer." }),
    tools: z.array(tool).default([]).meta({ description: "The tool contract: every tool with its input schema." }),
    dependsOn: z
      .strictObject({
        servers: z.record(kebabName, versionRange).default({}).meta({ description: "Other shared servers this one calls: name → range." }),
      })
      .optional(),
  })
  .meta({
    title: "blastgate shared MCP server (server.yaml)",
    description: "A shared MCP server's catalog entry, tool contract and guarantees.",
  });

export type ServerManifest = z.infer<typeof serverManifestSchema>;
export type ServerTool = ServerManifest["tools"][number];
