import { z } from "zod";

const assetId = z
  .string()
  .meta({ description: "`server:<name>`, `skill:<name>`, `model:default`, `model:alias:<name>`, or `model:<id>` for an agent pinned to an id." });

export const changeFlags = [
  "added",
  "removed",
  "downgrade",
  "content-changed-without-bump",
  "breaking",
  "breaking-under-minor",
  "breaking-under-patch",
  "tool-removed",
  "tool-added",
  "required-input-added",
  "input-type-narrowed",
  "input-removed",
  "scopes-added",
  "scopes-removed",
  "requires-changed",
  "sections-changed",
  "lifecycle-changed",
  "model-retarget",
  "alias-added",
  "alias-removed",
  "deprecated-model",
  "disallowed-model",
] as const;

export const changeSchema = z.strictObject({
  asset: assetId,
  from: z.string().nullable().meta({ description: "The version (or model id) at base; null when added." }),
  to: z.string().nullable().meta({ description: "The version (or model id) at head; null when removed." }),
  bump: z
    .enum(["major", "minor", "patch", "prerelease", "none", "downgrade"])
    .nullable()
    .meta({ description: "The semver distance from → to; `none` when the version did not move; null for models and added/removed assets." }),
  flags: z.array(z.enum(changeFlags)).meta({ description: "What kind of change this is; see docs/affected-json.md." }),
  details: z.array(z.string()).meta({ description: "One human-readable line per breaking or notable detail." }),
  scopesAdded: z.array(z.string()).meta({ description: "Scopes the head version adds." }),
  consumers: z.int().min(0).meta({ description: "Agents whose head resolution includes this asset (or uses this model reference), at any version." }),
  gainedBy: z
    .array(z.string())
    .meta({ description: "Agents that resolve a version with `scopesAdded` at head but not at base: who gains the new scopes." }),
});

export const moveSchema = z.strictObject({
  asset: assetId,
  from: z.string().nullable().meta({ description: "Resolved version (or model id) at base; null when the asset joins the agent's closure." }),
  to: z.string().nullable().meta({ description: "Resolved version (or model id) at head; null when it leaves." }),
  contentChanged: z.boolean().meta({ description: "True when the content differs, including under the same version." }),
});

export const problemSchema = z.strictObject({
  level: z.enum(["error", "warning"]),
  code: z.string().meta({ description: "A stable identifier of the kind of problem, e.g. `schema`, `unsatisfiable`, `overlay-stale`." }),
  file: z.string().meta({ description: "The file to change, relative to the registry or the current directory." }),
  line: z.int().min(1).meta({ description: "1-based line in that file (1 when the whole file is meant)." }),
  ref: z.string().optional().meta({ description: "The git ref the file was read at, when not the working tree." }),
  message: z.string().meta({ description: "What is wrong, what was expected, and how to fix it." }),
  agent: z.string().optional().meta({ description: "The agent concerned, when there is one." }),
});

export const affectedReportSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    base: z.string().meta({ description: "The base ref as given." }),
    head: z.string().meta({ description: "The head ref as given; `WORKTREE` for the working tree." }),
    summary: z.strictObject({
      changes: z.int().min(0),
      affected: z.int().min(0),
      unaffected: z.int().min(0),
      agents: z.int().min(0).meta({ description: "Agents read (valid manifests)." }),
      errors: z.int().min(0),
      warnings: z.int().min(0),
    }),
    changes: z.array(changeSchema),
    affected: z.array(
      z.strictObject({
        agent: z.string(),
        team: z.string(),
        tier: z.enum(["production", "staging", "experimental"]),
        repo: z.string().meta({ description: "The agent repo's folder, relative to the current directory." }),
        paths: z
          .array(z.array(assetId).min(1))
          .meta({ description: "Dependency paths, each from the agent's direct dependency to a changed asset." }),
        moves: z.array(moveSchema),
        status: z
          .strictObject({ base: z.enum(["ok", "unsatisfiable"]), head: z.enum(["ok", "unsatisfiable"]) })
          .meta({ description: "Whether the agent's dependencies resolve at base and at head." }),
      }),
    ),
    unaffected: z.array(
      z.strictObject({
        agent: z.string(),
        team: z.string(),
        tier: z.enum(["production", "staging", "experimental"]),
        asset: assetId.meta({ description: "The changed asset the agent consumes." }),
        version: z.string().meta({ description: "The version the agent stays on." }),
        range: z.string().meta({ description: "The range that holds it there." }),
        reason: z.string(),
      }),
    ),
    problems: z.array(problemSchema),
  })
  .meta({
    title: "blastgate affected report",
    description: "What `blastgate affected --format json` prints: the changes, the blast radius, who stays pinned, and every problem.",
  });

export type AffectedReport = z.infer<typeof affectedReportSchema>;
export type Change = z.infer<typeof changeSchema>;
export type ChangeFlag = (typeof changeFlags)[number];
export type Move = z.infer<typeof moveSchema>;
export type Problem = z.infer<typeof problemSchema>;
