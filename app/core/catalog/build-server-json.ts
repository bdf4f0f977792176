import type { CatalogServer, ServerOrgFields } from "../../../schemas/catalog.schema.ts";
import { highestPublished } from "./build-catalog.ts";
import { PUBLISHER_PROVIDED_KEY, SERVER_JSON_SCHEMA_URL, type McpServerJson } from "../../../schemas/mcp-server-json.schema.ts";

/** The MCP registry's limit on `description`, in code points. */
export const MAX_SERVER_JSON_DESCRIPTION = 100;
/** The MCP registry's limit on `title`, in code points. */
export const MAX_SERVER_JSON_TITLE = 100;


/**
 * blastgate's block inside `_meta["io.modelcontextprotocol.registry/publisher-provided"]`,
 * keyed `<namespace>/blastgate` so that other publishers' blocks can sit beside it:
 *
 * ```json
 * "_meta": { "io.modelcontextprotocol.registry/publisher-provided": {
 *   "com.example/blastgate": { "schemaVersion": 1, "owner": "…", "lifecycle": "production",
 *     "scopes": […], "guarantees": {…}, "tools": [{ "name", "description", "scopes", "requiredInputs" }],
 *     "dependsOn": [{ "server", "range" }], "dependents": { "count", "agents": [{ "agent", "team", "tier", "version" }] } } } }
 * ```
 *
 * The fields are the catalog entry's (schemas/catalog.schema.ts, `serverOrgFieldsSchema`).
 */
export type BlastgatePublisherMeta = { readonly schemaVersion: 1 } & ServerOrgFields;

/** The key of blastgate's block under publisher-provided `_meta`. */
export function publisherMetaKey(namespace: string): string {
  return `${namespace}/blastgate`;
}

/** The name a server has in the MCP registry: server.yaml's `mcpName`, else `<namespace>/<server>`. */
export function exportedName(server: { readonly name: string; readonly mcpName?: string | undefined }, namespace: string): string {
  return server.mcpName ?? `${namespace}/${server.name}`;
}

/**
 * Exports one catalog entry as an MCP registry `server.json` (schema 2025-12-11): named by
 * server.yaml's `mcpName`, else `<namespace>/<server>`; the registry's own fields as
 * server.yaml gives them; and the org's fields under `_meta`, beside the server's own.
 * Describes the entry's `latest` version, else its highest (stable, when one is published).
 */
export function buildServerJson(server: CatalogServer, namespace: string): McpServerJson {
  const meta: BlastgatePublisherMeta = {
    schemaVersion: 1,
    owner: server.owner,
    lifecycle: server.lifecycle,
    scopes: server.scopes,
    guarantees: server.guarantees,
    tools: server.tools,
    dependsOn: server.dependsOn,
    dependents: server.dependents,
  };
  const ownMeta = server._meta ?? {};
  return {
    $schema: SERVER_JSON_SCHEMA_URL,
    name: exportedName(server, namespace),
    description: clip(server.description, MAX_SERVER_JSON_DESCRIPTION),
    // Upstream's title is optional; the catalog's falls back to the name, and a registry lists the server by it as the catalog does.
    title: clip(server.title, MAX_SERVER_JSON_TITLE),
    version: server.latest ?? highestPublished(server.versions)!,
    ...(server.websiteUrl === undefined ? {} : { websiteUrl: server.websiteUrl }),
    ...(server.repository === undefined ? {} : { repository: server.repository }),
    ...(server.icons === undefined || server.icons.length === 0 ? {} : { icons: server.icons }),
    ...(server.packages.length === 0 ? {} : { packages: server.packages }),
    ...(server.remotes.length === 0 ? {} : { remotes: server.remotes }),
    // Our block sits beside any publisher-provided data the server brings; on the same key, ours wins.
    _meta: { ...ownMeta, [PUBLISHER_PROVIDED_KEY]: { ...ownMeta[PUBLISHER_PROVIDED_KEY], [publisherMetaKey(namespace)]: meta } },
  };
}

// server.yaml already holds descriptions and titles to 100 characters; this keeps an export valid if that ever loosens.
// Lengths are code points, as JSON Schema's maxLength counts them, so a character is never split.
function clip(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : characters.slice(0, max - 1).join("") + "…";
}
