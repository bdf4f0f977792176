import { z } from "zod";
import { exactVersion, kebabName, scopeName, someText, teamName, versionRange } from "./common.ts";
import {
  mcpIconSchema,
  mcpMetaSchema,
  mcpPackageSchema,
  mcpRemoteSchema,
  mcpRepositorySchema,
  mcpServerNameSchema,
  mcpUriSchema,
  PUBLISHER_PROVIDED_KEY,
} from "./mcp-server-json.schema.ts";


/** JSON Schema as written in a tool contract; kept as data and compared structurally. */
export const jsonSchemaObject = z
  .record(z.string(), z.unknown())
  .meta({ description: "A JSON Schema object, as MCP's `tools/list` returns in `inputSchema`." });

const tool = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,128}$/, { message: "a tool name of letters, digits, `_`, `-` or `.`" })
    .meta({ description: "The tool's name as the server lists it." }),
  description: someText().meta({ description: "What the model reads to decide when to call it." }),
  inputSchema: jsonSchemaObject.meta({ description: "The tool's input, as JSON Schema (type: object)." }),
  scopes: z.array(scopeName).default([]).meta({ description: "Scopes a caller needs for this tool." }),
});

/** `servers/<name>/server.yaml`: one shared MCP server's catalog entry and tool contract. */
export const serverManifestSchema = z
  .strictObject({
    name: kebabName.meta({ description: "The server's name; equals its folder under servers/." }),
    mcpName: mcpServerNameSchema.optional().meta({
      description:
        "The server's name in the MCP registry, when it is published under another namespace than the catalog's (like `io.github.acme/crm`); server.json uses it instead of `<catalog.namespace>/<name>`.",
    }),
    title: someText(100)
      .optional()
      .meta({ description: "A human-readable name, at most 100 characters; the catalog shows `name` when there is none." }),
    description: someText(100).meta({
      description: "What the server offers, in at most 100 characters (the MCP registry's limit, counted in Unicode code points).",
    }),
    version: exactVersion.meta({ description: "This release's exact semver version; published as tag `servers/<name>@<version>`." }),
    owner: teamName.meta({ description: "The owning team." }),
    lifecycle: z.enum(["experimental", "production", "deprecated"]).meta({ description: "Support level." }),
    // The MCP registry's own shapes (server.json 2025-12-11), so an entry exports as a valid server.json.
    // Open to extra keys, as upstream; a key a typo away from a known one is warned about (it is exported as written).
    websiteUrl: mcpUriSchema.optional().meta({ description: "The server's homepage or documentation (an absolute URI)." }),
    repository: mcpRepositorySchema
      .extend({ source: z.string().min(1) })
      .optional()
      .meta({ description: "Where the server's source lives." }),
    icons: z
      .array(mcpIconSchema)
      .optional()
      .meta({ description: "Icons a client can show: `src` (an https URL), optional `mimeType`, `sizes`, `theme` (MCP registry server.json shape)." }),
    packages: z
      .array(mcpPackageSchema)
      .default([])
      .meta({ description: "How to install and run it (MCP registry server.json shape)." }),
    remotes: z
      .array(mcpRemoteSchema)
      .default([])
      .meta({ description: "Where it is hosted (MCP registry server.json shape)." }),
    _meta: mcpMetaSchema.optional().meta({
      description: `The server's own server.json \`_meta\`, exported as written; blastgate adds its block under \`${PUBLISHER_PROVIDED_KEY}\` beside any there, keyed \`<catalog.namespace>/blastgate\`.`,
    }),
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
