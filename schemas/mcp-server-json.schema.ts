import { z } from "zod";

/**
 * Our own zod mirror of the constraints of the official MCP registry's `server.json`
 * schema, version 2025-12-11 (modelcontextprotocol/registry,
 * docs/reference/server-json/server.schema.json, JSON Schema draft-07). We use it to
 * check what `blastgate catalog` exports; it is not a copy of the upstream file.
 *
 * Where upstream allows additional properties, so does the mirror (`looseObject`);
 * packages are closed (`additionalProperties: false`) there and here.
 */
export const SERVER_JSON_SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

/** The `_meta` key under which a publisher puts its own data. */
export const PUBLISHER_PROVIDED_KEY = "io.modelcontextprotocol.registry/publisher-provided";

// Our messages are lowercase noun phrases, so a problem can read "expected `field` to be <message>".
const uri = () => z.url({ message: "an absolute URL such as `https://example.com/mcp`" });
const text = (min: number, max: number) => {
  const message = min === 1 ? `a non-empty string of at most ${max} characters` : `between ${min} and ${max} characters long`;
  return z.string().min(min, { message }).max(max, { message });
};

const input = z.looseObject({
  description: z.string().optional(),
  isRequired: z.boolean().optional(),
  format: z.enum(["string", "number", "boolean", "filepath"]).optional(),
  value: z.string().optional(),
  isSecret: z.boolean().optional(),
  default: z.string().optional(),
  placeholder: z.string().optional(),
  choices: z.array(z.string()).optional(),
});
const inputWithVariables = input.extend({
  variables: z.record(z.string(), input).optional().meta({ description: "Values for `{curly_brace}` identifiers in `value`." }),
});
const keyValueInput = inputWithVariables.extend({ name: z.string().meta({ description: "The header or environment variable's name." }) });

const positionalArgument = inputWithVariables
  .extend({ type: z.literal("positional"), valueHint: z.string().optional(), isRepeated: z.boolean().optional() })
  .refine((argument) => argument.valueHint !== undefined || argument.value !== undefined, {
    message: "a positional argument with `valueHint` or `value`",
  });
const namedArgument = inputWithVariables.extend({ type: z.literal("named"), name: z.string(), isRepeated: z.boolean().optional() });
const argument = z.union([positionalArgument, namedArgument]);

const stdioTransport = z.looseObject({ type: z.literal("stdio") });
const streamableHttpTransport = z.looseObject({
  type: z.literal("streamable-http"),
  url: z.string().meta({ description: "A URL template; `{variables}` name argument valueHints, argument names or environment variables." }),
  headers: z.array(keyValueInput).optional(),
});
const sseTransport = z.looseObject({
  type: z.literal("sse"),
  url: uri().meta({ description: "The Server-Sent Events endpoint." }),
  headers: z.array(keyValueInput).optional(),
});

/** A package: how to install and run the server locally. Closed, as upstream. */
export const mcpPackageSchema = z.strictObject({
  registryType: z.string().meta({ description: "npm, pypi, oci, nuget or mcpb." }),
  registryBaseUrl: uri().optional(),
  identifier: z.string(),
  version: z
    .string()
    .min(1, { message: "a specific version such as `1.0.2`" })
    .refine((value) => value !== "latest", { message: "a specific version, not `latest`" })
    .optional(),
  fileSha256: z.string().regex(/^[a-f0-9]{64}$/, { message: "64 lowercase hex digits" }).optional(),
  runtimeHint: z.string().optional(),
  transport: z.union([stdioTransport, streamableHttpTransport, sseTransport]),
  runtimeArguments: z.array(argument).optional(),
  packageArguments: z.array(argument).optional(),
  environmentVariables: z.array(keyValueInput).optional(),
});

const remoteVariables = z.record(z.string(), input).optional().meta({ description: "Values for `{variables}` in the URL." });
/** A remote: where the server is hosted. */
export const mcpRemoteSchema = z.union([
  streamableHttpTransport.extend({ variables: remoteVariables }),
  sseTransport.extend({ variables: remoteVariables }),
]);

const repository = z.looseObject({
  url: uri(),
  source: z.string(),
  id: z.string().optional(),
  subfolder: z.string().optional(),
});

const icon = z.looseObject({
  src: uri().max(255, { message: "a URL of at most 255 characters" }),
  mimeType: z.enum(["image/png", "image/jpeg", "image/jpg", "image/svg+xml", "image/webp"]).optional(),
  sizes: z.array(z.string().regex(/^(\d+x\d+|any)$/)).optional(),
  theme: z.enum(["light", "dark"]).optional(),
});

// Upstream rejects version ranges such as `^1.2.3`, `~1.2.3`, `>=1.2.3`, `1.x`, `1.*`.
const rangeLike = /[\^~<>=*|\s]|(^|\.)[xX](\.|$)/;

/** `server.json` as the MCP registry (schema 2025-12-11) accepts it. */
export const mcpServerJsonSchema = z
  .looseObject({
    $schema: uri().optional(),
    name: text(3, 200).regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/, { message: "a reverse-DNS name with one slash, like `com.example/crm`" }),
    description: text(1, 100),
    title: text(1, 100).optional(),
    version: text(1, 255).refine((value) => !rangeLike.test(value), { message: "a specific version, not a range" }),
    websiteUrl: uri().optional(),
    repository: repository.optional(),
    icons: z.array(icon).optional(),
    packages: z.array(mcpPackageSchema).optional(),
    remotes: z.array(mcpRemoteSchema).optional(),
    _meta: z
      .looseObject({
        [PUBLISHER_PROVIDED_KEY]: z.record(z.string(), z.unknown()).optional(),
      })
      .optional(),
  })
  .meta({ title: "MCP registry server.json (2025-12-11), as mirrored by blastgate" });

export type McpServerJson = z.infer<typeof mcpServerJsonSchema>;
