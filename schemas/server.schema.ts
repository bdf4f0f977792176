import { z } from "zod";
import { exactVersion, kebabName, scopeName, teamName, versionRange } from "./common.ts";
import { mcpPackageSchema, mcpRemoteSchema } from "./mcp-server-json.schema.ts";

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
    // The MCP registry's own shapes (server.json 2025-12-11), so an entry exports as a valid server.json.
    packages: z.array(mcpPackageSchema).default([]).meta({ description: "How to install and run it (MCP registry server.json shape)." }),
    remotes: z.array(mcpRemoteSchema).default([]).meta({ description: "Where it is hosted (MCP registry server.json shape)." }),
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
