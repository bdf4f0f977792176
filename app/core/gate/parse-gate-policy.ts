import { gateConfigSchema, type GateConfig } from "../../../schemas/gate-config.schema.ts";
import { parseYamlFile } from "../files/parse-yaml.ts";
import type { Problem, SourceLocation } from "../problems.ts";
import { tooLarge } from "../files/size-limit.ts";
import type { FileRead } from "../registry/build-registry-history.ts";

/**
 * The gate policy as loaded: `ok` (the file, validated), `missing` (no file: the schema's
 * defaults, a valid setup), or `invalid` (the problems; never a silent fallback).
 */
export type GatePolicy =
  | { readonly kind: "ok"; readonly value: GateConfig; readonly source: SourceLocation }
  | { readonly kind: "missing"; readonly value: GateConfig }
  | { readonly kind: "invalid"; readonly problems: readonly Problem[] };

/** The policy an org gets without a `.github/blastgate.yml`: every default, from the schema alone. */
export function defaultGatePolicy(): GateConfig {
  return gateConfigSchema.parse({});
}

/** Parses `.github/blastgate.yml` as a reader found it (read it from the base ref only). */
export function parseGatePolicy(file: FileRead, source: SourceLocation): GatePolicy {
  if (file.kind === "missing") return { kind: "missing", value: defaultGatePolicy() };
  if (file.kind === "too-large") return { kind: "invalid", problems: [tooLarge(source, file.bytes, "a blastgate.yml")] };
  const parsed = parseYamlFile({ ...source, text: file.text }, gateConfigSchema, "a blastgate.yml");
  if (parsed.kind === "invalid") return { kind: "invalid", problems: parsed.problems };
  return { kind: "ok", value: parsed.value, source };
}

/** The policy's settings when it is usable, else null. */
export function policyValue(policy: GatePolicy): GateConfig | null {
  return policy.kind === "invalid" ? null : policy.value;
}
