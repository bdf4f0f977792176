import type { z } from "zod";
import { affectedReportJsonSchema } from "./affected-report.schema.ts";
import { agentManifestSchema } from "./agent.schema.ts";
import { catalogSchema } from "./catalog.schema.ts";
import { evalResultsSchema } from "./eval-results.schema.ts";
import { evalSuiteFileSchema, skillEvalsSchema } from "./eval-suite.schema.ts";
import { gateConfigSchema } from "./gate-config.schema.ts";
import { modelsConfigSchema } from "./models.schema.ts";
import { overlayFrontmatterSchema } from "./overlay.schema.ts";
import { serverManifestSchema } from "./server.schema.ts";
import { skillFrontmatterSchema } from "./skill.schema.ts";
import { transcriptSchema } from "./transcript.schema.ts";

/** Every published format: its generated file name, schema, and whether users write it (input) or we do (output). */
export const publishedSchemas: readonly { name: string; schema: z.ZodType; io: "input" | "output" }[] = [
  { name: "agent", schema: agentManifestSchema, io: "input" },
  { name: "server", schema: serverManifestSchema, io: "input" },
  { name: "skill-frontmatter", schema: skillFrontmatterSchema, io: "input" },
  { name: "models", schema: modelsConfigSchema, io: "input" },
  { name: "overlay-frontmatter", schema: overlayFrontmatterSchema, io: "input" },
  { name: "gate-config", schema: gateConfigSchema, io: "input" },
  { name: "eval-suite", schema: evalSuiteFileSchema, io: "input" },
  { name: "skill-evals", schema: skillEvalsSchema, io: "input" },
  { name: "transcript", schema: transcriptSchema, io: "input" },
  { name: "eval-results", schema: evalResultsSchema, io: "output" },
  { name: "affected-report", schema: affectedReportJsonSchema, io: "output" },
  { name: "catalog", schema: catalogSchema, io: "output" },
];
