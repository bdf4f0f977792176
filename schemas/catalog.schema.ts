import { z } from "zod";
import { exactVersion, kebabName, modelId, scopeName, teamName, versionRange } from "./common.ts";
import { serverManifestSchema } from "./server.schema.ts";

const tier = z.enum(["production", "staging", "experimental"]);

/** One agent whose resolution includes an asset, and the version it resolves to. */
const dependentAgent = z.strictObject({
  agent: kebabName.meta({ description: "The agent's name (agent.yaml `name`)." }),
  team: teamName.meta({ description: "The agent's owning team." }),
  tier: tier.meta({ description: "The agent's tier." }),
  version: exactVersion.meta({ description: "The version of the asset this agent resolves to at the catalog's ref." }),
});

/** Who uses an asset: every agent whose resolved closure holds it, directly or through other assets. */
export const dependentsSchema = z
  .strictObject({
    count: z.int().min(0).meta({ description: "How many agents resolve to some version of the asset." }),
    agents: z.array(dependentAgent).meta({ description: "Those agents, by name." }),
  })
  .meta({
    description:
      "The agents whose resolution at the catalog's ref includes this asset, directly or transitively (through a skill's `requires` or a server's `dependsOn`), with the version each resolves to. An agent that is unsatisfiable elsewhere still counts for the assets it does resolve.",
  });

const catalogTool = z.strictObject({
  name: z.string().meta({ description: "The tool's name as the server lists it." }),
  description: z.string().meta({ description: "What the model reads to decide when to call it." }),
  scopes: z.array(scopeName).meta({ description: "Scopes a caller needs for this tool, sorted." }),
  requiredInputs: z
    .array(z.string())
    .meta({ description: "The input properties the tool's `inputSchema.required` lists, sorted." }),
});

/** The org's facts about a server: the catalog entry's fields that also go into server.json's `_meta`. */
export const serverOrgFieldsSchema = z.strictObject({
  owner: teamName.meta({ description: "The owning team." }),
  lifecycle: serverManifestSchema.shape.lifecycle,
  scopes: z.array(scopeName).meta({ description: "Every scope the server can act with, sorted." }),
  guarantees: serverManifestSchema.shape.guarantees,
  tools: z.array(catalogTool).meta({ description: "The tool contract in brief, by tool name." }),
  dependsOn: z
    .array(z.strictObject({ server: kebabName, range: versionRange }))
    .meta({ description: "Other shared servers this one calls, with the range it needs, by name." }),
  dependents: dependentsSchema,
});

const catalogServer = serverOrgFieldsSchema
  .extend({
    name: kebabName.meta({ description: "The server's name (its folder under servers/)." }),
    mcpName: serverManifestSchema.shape.mcpName,
    title: z.string().meta({ description: "A human-readable name: server.yaml's `title`, else the server's name." }),
    description: z.string().meta({ description: "What the server offers (at most 100 characters)." }),
    latest: exactVersion
      .nullable()
      .meta({ description: "The version on the catalog's ref (the branch's latest); null when the ref no longer holds the server and only tags remain." }),
    versions: z
      .array(exactVersion)
      .min(1)
      .meta({ description: "Every version the ref sees: the release tags plus the ref's own, highest first." }),
    websiteUrl: z.url().optional().meta({ description: "The server's homepage or docs." }),
    repository: serverManifestSchema.shape.repository,
    icons: serverManifestSchema.shape.icons,
    packages: serverManifestSchema.shape.packages,
    remotes: serverManifestSchema.shape.remotes,
    _meta: serverManifestSchema.shape._meta,
  })
  .meta({
    description:
      "One shared MCP server. Fields describe `latest` (or, when the ref no longer holds the server, its highest version); `dependents` may resolve to older versions.",
  });

const catalogSkill = z
  .strictObject({
    name: kebabName.meta({ description: "The skill's name (its folder under skills/)." }),
    description: z.string().meta({ description: "What the skill does and when to use it." }),
    owner: teamName.meta({ description: "The owning team (`metadata.owner`)." }),
    latest: exactVersion
      .nullable()
      .meta({ description: "The version on the catalog's ref; null when the ref no longer holds the skill and only tags remain." }),
    versions: z.array(exactVersion).min(1).meta({ description: "Every version the ref sees, highest first." }),
    requires: z
      .array(
        z.strictObject({
          asset: z.string().regex(/^(server|skill):[a-z0-9]+(?:-[a-z0-9]+)*$/).meta({ description: "`server:<name>` or `skill:<name>`." }),
          range: versionRange,
        }),
      )
      .meta({ description: "What the skill needs (`metadata.requires`), by asset." }),
    allowedTools: z.array(z.string()).meta({ description: "The tools the skill may use (`allowed-tools`), in the order written." }),
    dependents: dependentsSchema,
  })
  .meta({ description: "One shared skill, described as of `latest` (or its highest version when the ref no longer holds it)." });

const catalogModels = z
  .strictObject({
    default: modelId.nullable().meta({ description: "The default model id; null when models.yaml is missing or invalid." }),
    aliases: z.record(kebabName, modelId).meta({ description: "Alias → model id, by alias." }),
    allowed: z
      .array(modelId)
      .nullable()
      .meta({ description: "The only model ids agents may resolve to, sorted; null when any model is allowed." }),
    deprecated: z
      .record(modelId, z.strictObject({ retires: z.iso.date(), replacement: modelId }))
      .meta({ description: "Model id → retirement date and replacement, by model id." }),
    dependents: z
      .record(modelId, z.int().min(1))
      .meta({ description: "Model id → how many agents resolve to it (through `default`, an alias, or a pinned id), by model id." }),
  })
  .meta({ description: "models.yaml at the catalog's ref, and how many agents use each model." });

const catalogAgent = z.strictObject({
  name: kebabName.meta({ description: "The agent's name." }),
  team: teamName.meta({ description: "The owning team." }),
  tier: tier.meta({ description: "How critical the agent is." }),
  model: modelId.nullable().meta({ description: "The model id the agent resolves to; null when its `model` names no alias or id." }),
  status: z
    .enum(["ok", "unsatisfiable"])
    .meta({ description: "`unsatisfiable` when some range the agent needs has no published version (see `blastgate validate`)." }),
});

/** `catalog.json`: the registry's servers, skills and models with their owners and dependents. Deterministic: no timestamps. */
export const catalogSchema = z
  .strictObject({
    schemaVersion: z.literal(1).meta({ description: "Bumped on a breaking change to this format." }),
    ref: z.string().meta({ description: "The registry ref the catalog was built from; `WORKTREE` for the working tree." }),
    servers: z.array(catalogServer).meta({ description: "Every shared MCP server, by name." }),
    skills: z.array(catalogSkill).meta({ description: "Every shared skill, by name." }),
    models: catalogModels,
    owners: z
      .record(teamName, z.strictObject({ servers: z.array(kebabName), skills: z.array(kebabName) }))
      .meta({ description: "Team → the servers and skills it owns, by team and name." }),
    agents: z.array(catalogAgent).meta({ description: "Every agent read, by name." }),
  })
  .meta({
    title: "blastgate catalog (catalog.json)",
    description: "The published catalog of an org's shared MCP servers, skills and models, with owners, scopes, guarantees and dependents.",
  });

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogServer = Catalog["servers"][number];
export type CatalogSkill = Catalog["skills"][number];
export type Dependents = z.infer<typeof dependentsSchema>;
export type ServerOrgFields = z.infer<typeof serverOrgFieldsSchema>;
