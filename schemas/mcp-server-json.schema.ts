import { z } from "zod";

/**
 * Our own zod mirror of the official MCP registry's `server.json` schema, version 2025-12-11
 * (modelcontextprotocol/registry, docs/reference/server-json/server.schema.json, JSON Schema
 * draft-07). We use it to check what `blastgate catalog` exports, and server.yaml reuses its
 * shapes so that `blastgate validate` refuses what would export invalid. It is written from
 * the upstream rules, not copied from the upstream file.
 *
 * It follows upstream exactly:
 * - every object is open to extra keys (upstream sets `additionalProperties: false` nowhere,
 *   packages included);
 * - lengths count Unicode code points, as JSON Schema's `minLength`/`maxLength` do, not
 *   UTF-16 units as `String#length` and zod's `.max()` do;
 * - `format: uri` is RFC 3986's absolute URI (a scheme, then only characters URIs allow);
 * - transport URLs match upstream's pattern `^https?://[^\s]+$`, in packages and remotes
 *   alike, so `{variables}` may stand for any part after the scheme;
 * - `title`, `icons`, `_meta` and every other property upstream leaves optional are optional.
 *
 * Beyond the machine-checked keywords it enforces what upstream's own descriptions state as
 * rules the registry applies: versions are specific (no `latest` for packages, no ranges such
 * as `^1.2.3` or `1.x`), and an icon's `src` is an HTTPS URL. Every constraint also appears
 * in `z.toJSONSchema` output (through `.meta`), so a JSON Schema validator judges a document
 * as this mirror does.
 */
export const SERVER_JSON_SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

/** The `_meta` key under which a publisher puts its own data. */
export const PUBLISHER_PROVIDED_KEY = "io.modelcontextprotocol.registry/publisher-provided";

/**
 * `schema` held to `min`..`max` characters, with `message` naming what is expected. zod's
 * length checks count Unicode code points, as JSON Schema's `minLength` and `maxLength`
 * do (an emoji is one character), and go into the generated JSON Schema as those keywords.
 */
export function withLength(schema: z.ZodString, bounds: { min?: number; max?: number }, message: string): z.ZodString {
  const { min = 0, max = Infinity } = bounds;
  const bounded = min > 0 ? schema.min(min, { message }) : schema;
  return max < Infinity ? bounded.max(max, { message }) : bounded;
}

// RFC 3986, section 3: URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ].
const pctEncoded = "%[0-9A-Fa-f]{2}";
const unreserved = "A-Za-z0-9\\-._~";
const subDelims = "!$&'()*+,;=";
const pchar = `(?:[${unreserved}${subDelims}:@]|${pctEncoded})`;
const ipLiteral = `\\[(?:[0-9A-Fa-f:.]+|[vV][0-9A-Fa-f]+\\.[${unreserved}${subDelims}:]+)\\]`;
const authority = `(?:(?:[${unreserved}${subDelims}:]|${pctEncoded})*@)?(?:${ipLiteral}|(?:[${unreserved}${subDelims}]|${pctEncoded})*)(?::[0-9]*)?`;
const hierPart = `(?://${authority}(?:/${pchar}*)*|/(?:${pchar}+(?:/${pchar}*)*)?|${pchar}+(?:/${pchar}*)*|)`;
const uriPattern = new RegExp(`^[A-Za-z][A-Za-z0-9+\\-.]*:${hierPart}(?:\\?(?:${pchar}|[/?])*)?(?:#(?:${pchar}|[/?])*)?$`);

/** `format: uri`: an absolute URI as RFC 3986 defines it. */
export const mcpUriSchema = z
  .string()
  .regex(uriPattern, { message: "an absolute URI such as `https://example.com/docs`, with any space or other character URIs forbid percent-encoded (`%20`)" })
  .meta({ format: "uri" });

/** Upstream's pattern for a transport's URL template (streamable-http and sse, in packages and remotes). */
const transportUrl = z.string().regex(/^https?:\/\/[^\s]+$/, {
  message: "an `http://` or `https://` URL without spaces, like `https://mcp.example.com/mcp` or the template `https://{tenant}.example.com/mcp`",
});

// Upstream's descriptions reject version ranges: comparators (`^1.2.3`, `~1.2`, `>=1.0.0`, `=1.0.0`),
// hyphen ranges (`1.2.3 - 2.0.0`), alternatives (`1.2 || 1.3`) and wildcard segments (`1.x`, `1.2.*`).
// Any other string, semver or not (`2024.01.15`, `v3`, `1.0.0.0`), is a version. Surrounding spaces do not count.
// (Upstream's code also calls a version with an `x` in its prerelease a range, `1.2.3-linux-x64` included;
// we follow the documented rule, wildcard segments only.)
const numeric = String.raw`v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?`;
const wildcardSegment = String.raw`(?:x|X|\*)`;
const rangePattern = new RegExp(
  String.raw`^\s*(?:` +
    [
      String.raw`(?:\^|~|>=|<=|>|<|=)\s*${numeric}`,
      String.raw`${numeric}\s-\s*${numeric}`,
      String.raw`${numeric}\s*(?:\|\|\s*${numeric}\s*)+`,
      String.raw`(?:${wildcardSegment}(?:\.(?:\d+|${wildcardSegment})){1,2}|v?\d+(?:\.\d+)?\.${wildcardSegment}(?:\.(?:\d+|${wildcardSegment}))?)(?:-[0-9A-Za-z.-]+)?`,
    ].join("|") +
    String.raw`)\s*$`,
);

/** True when `value` is a version range rather than one version, by upstream's rule. */
export function isVersionRange(value: string): boolean {
  return rangePattern.test(value);
}

/** A server's version: at most 255 code points, not a range. */
const serverVersion = withLength(z.string(), { max: 255 }, "a specific version of at most 255 characters")
  .refine((value) => !isVersionRange(value), { message: "a specific version such as `1.0.2`, not a range" })
  .meta({ not: { pattern: rangePattern.source } });

/** A package's version: non-empty, not `latest`, not a range. */
const packageVersion = withLength(z.string(), { min: 1 }, "a specific version such as `1.0.2`")
  .refine((value) => value !== "latest", { message: "a specific version such as `1.0.2`, not `latest`" })
  .refine((value) => !isVersionRange(value), { message: "a specific version such as `1.0.2`, not a range" })
  .meta({ not: { anyOf: [{ const: "latest" }, { pattern: rangePattern.source }] } });

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
  })
  .meta({ anyOf: [{ required: ["valueHint"] }, { required: ["value"] }] });
const namedArgument = inputWithVariables.extend({ type: z.literal("named"), name: z.string(), isRepeated: z.boolean().optional() });
const argument = z.union([positionalArgument, namedArgument]);

const stdioTransport = z.looseObject({ type: z.literal("stdio") });
const streamableHttpTransport = z.looseObject({
  type: z.literal("streamable-http"),
  url: transportUrl.meta({ description: "A URL template; `{variables}` name argument valueHints, argument names or environment variables (in a package) or `variables` (in a remote)." }),
  headers: z.array(keyValueInput).optional(),
});
const sseTransport = z.looseObject({
  type: z.literal("sse"),
  url: transportUrl.meta({ description: "The Server-Sent Events endpoint, a URL template like streamable-http's." }),
  headers: z.array(keyValueInput).optional(),
});

/** A package: how to install and run the server locally. Open to extra keys, as upstream. */
export const mcpPackageSchema = z.looseObject({
  registryType: z.string().meta({ description: "npm, pypi, oci, nuget or mcpb." }),
  registryBaseUrl: mcpUriSchema.optional(),
  identifier: z.string(),
  version: packageVersion.optional().meta({ description: "A specific version, semver or not (`1.0.2`, `2024.01.15`); not `latest`, not a range." }),
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

/** Where the server's source lives. */
export const mcpRepositorySchema = z.looseObject({
  url: mcpUriSchema,
  source: z.string(),
  id: z.string().optional(),
  subfolder: z.string().optional(),
});

/** An icon a client can show. */
export const mcpIconSchema = z.looseObject({
  src: withLength(
    mcpUriSchema.regex(/^https:/i, { message: "an `https://` URL (the registry refuses other icon sources)" }),
    { max: 255 },
    "a URL of at most 255 characters",
  ).meta({ description: "An https URL of at most 255 characters." }),
  mimeType: z.enum(["image/png", "image/jpeg", "image/jpg", "image/svg+xml", "image/webp"]).optional(),
  sizes: z.array(z.string().regex(/^(\d+x\d+|any)$/, { message: "a size such as `48x48`, or `any`" })).optional(),
  theme: z.enum(["light", "dark"]).optional(),
});

/** A server name: `<reverse-DNS namespace>/<name>`, 3 to 200 characters. */
export const mcpServerNameSchema = withLength(
  z.string().regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/, {
    message: "a reverse-DNS name with one slash, like `com.example/crm` (letters, digits, `.` and `-` before the slash; also `_` after it)",
  }),
  { min: 3, max: 200 },
  "a name of 3 to 200 characters, like `com.example/crm`",
);

/** A description or title: 1 to 100 characters. */
export const mcpShortText = () => withLength(z.string(), { min: 1, max: 100 }, "a non-empty string of at most 100 characters");

/** `_meta`: extension data keyed by reverse DNS; publisher-provided data must be a mapping. */
export const mcpMetaSchema = z.looseObject({
  [PUBLISHER_PROVIDED_KEY]: z.record(z.string(), z.unknown()).optional(),
});

/** `server.json` as the MCP registry (schema 2025-12-11) accepts it. */
export const mcpServerJsonSchema = z
  .looseObject({
    $schema: mcpUriSchema.optional(),
    name: mcpServerNameSchema,
    description: mcpShortText(),
    title: mcpShortText().optional(),
    version: serverVersion,
    websiteUrl: mcpUriSchema.optional(),
    repository: mcpRepositorySchema.optional(),
    icons: z.array(mcpIconSchema).optional(),
    packages: z.array(mcpPackageSchema).optional(),
    remotes: z.array(mcpRemoteSchema).optional(),
    _meta: mcpMetaSchema.optional(),
  })
  .meta({ title: "MCP registry server.json (2025-12-11), as mirrored by blastgate" });

export type McpServerJson = z.infer<typeof mcpServerJsonSchema>;
